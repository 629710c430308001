// Simulated detector output for exercising the evaluation.
#include "datasets/simulated_maps.h"

#include "core/error.h"
#include "datasets/image_io.h"

#include <opencv2/imgproc.hpp>

namespace kdad::datasets {
namespace fs = std::filesystem;

cv::Mat simulate_map(const cv::Mat& mask, const SimulatedMapsSpec& spec, Rng& rng) {
  const cv::Size size = mask.size();
  cv::Mat map(size, CV_32F);
  for (int y = 0; y < size.height; ++y) {
    float* row = map.ptr<float>(y);
    for (int x = 0; x < size.width; ++x) row[x] = static_cast<float>(rng.normal());
  }
  const double smooth = std::max(1.0, std::min(size.width, size.height) / 48.0);
  cv::GaussianBlur(map, map, cv::Size(0, 0), smooth, smooth, cv::BORDER_REFLECT);
  cv::Scalar mean, stddev;
  cv::meanStdDev(map, mean, stddev);
  map = (map - mean[0]) * (0.3 / std::max(stddev[0], 1e-9)) + 0.5;

  cv::Mat labels;
  const int regions = cv::connectedComponents(mask, labels, 8, CV_32S) - 1;
  for (int r = 1; r <= regions; ++r) {
    if (rng.bernoulli(spec.miss_rate)) continue;
    cv::Mat region;
    cv::compare(labels, r, region, cv::CMP_EQ);
    region.convertTo(region, CV_32F, 1.0 / 255.0);
    const cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, static_cast<double>(rng.uniform_int(-2, 2)), 0, 1,
                           static_cast<double>(rng.uniform_int(-2, 2)));
    cv::warpAffine(region, region, shift, size, cv::INTER_NEAREST, cv::BORDER_CONSTANT, 0);
    cv::GaussianBlur(region, region, cv::Size(0, 0), 2.0, 2.0, cv::BORDER_CONSTANT);
    double peak = 0;
    cv::minMaxLoc(region, nullptr, &peak);
    if (peak > 0) map += region * (spec.strength * rng.uniform(0.6, 1.4) / peak);
  }
  if (rng.bernoulli(spec.false_alarm_rate)) {
    cv::Mat blob = cv::Mat::zeros(size, CV_32F);
    const cv::Point at(static_cast<int>(rng.uniform_int(0, size.width - 1)),
                       static_cast<int>(rng.uniform_int(0, size.height - 1)));
    cv::circle(blob, at, std::max(2, size.width / 24), cv::Scalar(1.0), cv::FILLED, cv::LINE_8);
    cv::GaussianBlur(blob, blob, cv::Size(0, 0), 2.0, 2.0, cv::BORDER_CONSTANT);
    map += blob * (0.7 * spec.strength);
  }
  return map;
}

void write_simulated_maps(const Dataset& dataset, const std::vector<std::string>& categories,
                          const fs::path& maps_root, const SimulatedMapsSpec& spec) {
  std::error_code ec;
  if (fs::exists(maps_root, ec) && !(fs::is_directory(maps_root, ec) && fs::is_empty(maps_root, ec))) {
    throw IoError(maps_root.string(), "already exists and is not an empty folder; choose a new path");
  }
  const Rng base(spec.seed);
  for (const auto& category : categories) {
    for (const auto& ref : dataset.split(category).test) {
      const cv::Mat mask = ref.mask.empty() ? cv::Mat::zeros(image_size(ref.image), CV_8UC1) : read_mask(ref.mask);
      Rng rng = base.derive(ref.id);
      write_anomaly_map(maps_root / (ref.id + ".tiff"), simulate_map(mask, spec, rng));
    }
  }
}

}  // namespace kdad::datasets
