// MKD's detection score and gradient-based localization.
#include "methods/mkd/saliency.h"

#include "core/error.h"
#include "methods/common/tensors.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <torch/autograd.h>
#include <torch/nn/functional/distance.h>

#include <algorithm>
#include <cmath>

namespace kdad::methods {
namespace F = torch::nn::functional;

MkdLocalization parse_mkd_localization(const std::string& text) {
  if (text == "gradients") return MkdLocalization::gradients;
  if (text == "smooth_grad") return MkdLocalization::smooth_grad;
  if (text == "gbp") return MkdLocalization::gbp;
  throw ConfigError(fmt::format("localization={}", text), "must be gradients, smooth_grad or gbp");
}

torch::Tensor mkd_discrepancy(const std::vector<torch::Tensor>& cloner, const std::vector<torch::Tensor>& source,
                              double lambda, std::size_t first) {
  torch::Tensor total;
  for (std::size_t k = first; k < cloner.size(); ++k) {
    const auto n = cloner[k].size(0);
    const torch::Tensor c = cloner[k].reshape({n, -1}), s = source[k].reshape({n, -1});
    const torch::Tensor direction = 1 - F::cosine_similarity(c, s, F::CosineSimilarityFuncOptions().dim(1));
    const torch::Tensor value = direction + lambda * (c - s).pow(2).mean(1);
    total = total.defined() ? total + value : value;
  }
  return total;
}

torch::Tensor score_gradients(const MkdNetworks& networks, const torch::Tensor& x, bool guided, torch::Tensor* scores) {
  torch::AutoGradMode enable(true);
  const torch::Tensor input = x.detach().requires_grad_(true);
  const torch::Tensor s = mkd_discrepancy(networks.cloner.forward(input, guided), networks.source.features(input),
                                          networks.lambda, 1);
  // autograd::grad computes the input's gradient only: nothing accumulates in the parameters, and
  // the graph is freed here.
  torch::Tensor gradient = torch::autograd::grad({s.sum()}, {input})[0];
  if (scores) *scores = s.detach();
  return gradient.detach();
}

cv::Mat grey_saliency(const torch::Tensor& gradient) {
  const cv::Mat grey = tensor_to_mat(gradient.abs().sum(0));
  std::vector<float> values(grey.begin<float>(), grey.end<float>());
  const double position = 0.99 * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(position));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(low), values.end());
  const double below = values[low];
  double above = below;
  if (low + 1 < values.size()) above = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(low) + 1, values.end());
  const double p99 = below + (above - below) * (position - static_cast<double>(low));
  double min_value = 0;
  cv::minMaxLoc(grey, &min_value, nullptr);
  cv::Mat out = cv::Mat::zeros(grey.size(), CV_32F);
  if (p99 - min_value <= 0) return out;
  for (int y = 0; y < grey.rows; ++y) {
    for (int x = 0; x < grey.cols; ++x) {
      const double v = (grey.at<float>(y, x) - min_value) / (p99 - min_value);
      out.at<float>(y, x) = static_cast<float>(std::clamp(v, 0.0, 1.0));
    }
  }
  return out;
}

cv::Mat min_max_scaled(const cv::Mat& map) {
  double low = 0, high = 0;
  cv::minMaxLoc(map, &low, &high);
  if (high - low <= 0) return cv::Mat::zeros(map.size(), CV_32F);
  cv::Mat out;
  map.convertTo(out, CV_32F, 1.0 / (high - low), -low / (high - low));
  return out;
}

cv::Mat mkd_saliency(const MkdNetworks& networks, MkdLocalization mode, const torch::Tensor& x,
                     const torch::Tensor& gradient, int samples, double noise_scale, const NoiseSource& noise,
                     std::int64_t chunk) {
  if (mode == MkdLocalization::gradients) return grey_saliency(gradient);
  if (mode == MkdLocalization::gbp) return min_max_scaled(cv::abs(grey_saliency(gradient)));
  const double std_dev = noise_scale / (x.max() - x.min()).item<double>();
  const double scale = std_dev * std_dev;
  cv::Mat sum = cv::Mat::zeros(static_cast<int>(x.size(2)), static_cast<int>(x.size(3)), CV_32F);
  for (std::int64_t done = 0; done < samples;) {
    const std::int64_t count = std::min<std::int64_t>(chunk, samples - done);
    const torch::Tensor noisy = x.expand({count, -1, -1, -1}) + noise(count).to(x.device()) * scale;
    const torch::Tensor gradients = score_gradients(networks, noisy, false);
    for (std::int64_t i = 0; i < count; ++i) sum += grey_saliency(gradients[i]);
    done += count;
  }
  return min_max_scaled(cv::abs(sum / static_cast<double>(samples)));
}

}  // namespace kdad::methods
