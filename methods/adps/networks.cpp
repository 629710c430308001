// ADPS's tiling, Weight Mask Block and Post-Segmentation Module.
#include "methods/adps/networks.h"

#include <torch/nn/functional/distance.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>

#include <string>

namespace kdad::methods {
namespace F = torch::nn::functional;

torch::Tensor split_tiles(const torch::Tensor& x, std::int64_t k) {
  const auto n = x.size(0), c = x.size(1), h = x.size(2) / k, w = x.size(3) / k;
  return x.view({n, c, k, h, k, w}).permute({0, 2, 4, 1, 3, 5}).reshape({n * k * k, c, h, w});
}

torch::Tensor stitch_tiles(const torch::Tensor& tiles, std::int64_t k) {
  const auto n = tiles.size(0) / (k * k), c = tiles.size(1), h = tiles.size(2), w = tiles.size(3);
  return tiles.view({n, k, k, c, h, w}).permute({0, 3, 1, 4, 2, 5}).reshape({n, c, k * h, k * w});
}

torch::Tensor weight_mask_block(const torch::Tensor& teacher, const torch::Tensor& student) {
  const torch::Tensor similarity = F::cosine_similarity(teacher, student, F::CosineSimilarityFuncOptions().dim(1)).unsqueeze(1);
  return (1 - similarity) * teacher;
}

namespace {

torch::nn::Sequential conv_block(std::int64_t in, std::int64_t out) {
  return torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false)),
                               torch::nn::BatchNorm2d(out), torch::nn::ReLU(true),
                               torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1).bias(false)),
                               torch::nn::BatchNorm2d(out), torch::nn::ReLU(true));
}

}  // namespace

PostSegmentationImpl::PostSegmentationImpl(const std::vector<std::int64_t>& channels) {
  // Widths halve per block (guess): C3's channels → C2's → C1's → half → quarter.
  std::int64_t in = channels.back();
  std::vector<std::int64_t> widths;
  for (auto level = static_cast<std::ptrdiff_t>(channels.size()) - 2; level >= 0; --level) widths.push_back(channels[static_cast<std::size_t>(level)]);
  widths.push_back(channels.front() / 2);
  widths.push_back(channels.front() / 4);
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::int64_t half = in / 2;
    up_.push_back(register_module("up" + std::to_string(i + 1),
                                  torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, half, 2).stride(2))));
    // The first blocks concatenate the next shallower masked level (a skip); the last two do not.
    const std::int64_t skip = i + 2 < widths.size() ? widths[i] : 0;
    blocks_.push_back(register_module("block" + std::to_string(i + 1), conv_block(half + skip, widths[i])));
    in = widths[i];
  }
  head_ = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, 2, 3).padding(1)));
}

torch::Tensor PostSegmentationImpl::forward(const std::vector<torch::Tensor>& masked) {
  torch::Tensor p = masked.back();
  for (std::size_t i = 0; i < up_.size(); ++i) {
    p = up_[i]->forward(p);
    const auto skip_level = static_cast<std::ptrdiff_t>(masked.size()) - 2 - static_cast<std::ptrdiff_t>(i);
    if (skip_level >= 0) p = torch::cat({p, masked[static_cast<std::size_t>(skip_level)]}, 1);
    p = blocks_[i]->forward(p);
  }
  return head_->forward(p);
}

}  // namespace kdad::methods
