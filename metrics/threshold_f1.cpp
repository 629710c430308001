// Validation-set pixel statistics and the pooled F1 at a fixed threshold.
#include "metrics/threshold_f1.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

namespace kdad::metrics {

void PixelStatistics::add(const cv::Mat& map) {
  if (map.empty()) return;
  // The map's own mean and squared deviations (two passes), merged into the running ones by Chan's
  // formula: no cancellation when the spread is small beside the mean.
  const auto n = static_cast<double>(map.total());
  CompensatedSum sum;
  for (int y = 0; y < map.rows; ++y) {
    const float* row = map.ptr<float>(y);
    for (int x = 0; x < map.cols; ++x) sum.add(row[x]);
  }
  const double map_mean = sum.value() / n;
  CompensatedSum squares;
  for (int y = 0; y < map.rows; ++y) {
    const float* row = map.ptr<float>(y);
    for (int x = 0; x < map.cols; ++x) squares.add((row[x] - map_mean) * (row[x] - map_mean));
  }
  const auto before = static_cast<double>(pixels_);
  const double total = before + n;
  const double delta = map_mean - mean_;
  mean_ += delta * n / total;
  squared_deviations_ += squares.value() + delta * delta * before * n / total;
  pixels_ += static_cast<std::uint64_t>(map.total());
}

double PixelStatistics::mean() const { return mean_; }

double PixelStatistics::standard_deviation() const {
  return pixels_ ? std::sqrt(squared_deviations_ / static_cast<double>(pixels_)) : 0.0;
}

std::optional<double> pooled_f1_at(std::span<const ScoredImage> images, double threshold) {
  std::uint64_t tp = 0, fp = 0, fn = 0;
  for (const auto& image : images) {
    for (int y = 0; y < image.map.rows; ++y) {
      const float* scores = image.map.ptr<float>(y);
      const std::uint8_t* truth = image.mask.empty() ? nullptr : image.mask.ptr<std::uint8_t>(y);
      for (int x = 0; x < image.map.cols; ++x) {
        const bool predicted = static_cast<double>(scores[x]) >= threshold;
        const bool defect = truth && truth[x] != 0;
        tp += predicted && defect;
        fp += predicted && !defect;
        fn += !predicted && defect;
      }
    }
  }
  if (tp + fn == 0) return std::nullopt;
  return 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
}

}  // namespace kdad::metrics
