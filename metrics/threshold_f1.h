// Threshold metrics whose threshold is set without test data: the pixel statistics of defect-free
// validation maps, and the pooled pixel F1 of test maps binarised at a given threshold (MVTec AD
// 2's SegF1, with the threshold mean + 3σ of the validation pixels).
#pragma once

#include "metrics/compensated_sum.h"
#include "metrics/scored_image.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <optional>
#include <span>

namespace kdad::metrics {

/// Running mean and population standard deviation of pixel scores, map by map (no map is kept).
class PixelStatistics {
 public:
  /// Adds every pixel of a CV_32FC1 map.
  void add(const cv::Mat& map);
  std::uint64_t pixels() const { return pixels_; }
  double mean() const;
  /// Population standard deviation (NumPy's default, ddof 0).
  double standard_deviation() const;

 private:
  std::uint64_t pixels_ = 0;
  double mean_ = 0.0;
  double squared_deviations_ = 0.0;  ///< Σ (x − mean)² over every pixel so far
};

/// F1 = 2TP / (2TP + FP + FN) over every pixel of `images` binarised at score ≥ `threshold`, pooled
/// over the images (maps and masks validated as for evaluate_category). Undefined without defect pixels.
std::optional<double> pooled_f1_at(std::span<const ScoredImage> images, double threshold);

}  // namespace kdad::metrics
