// Evaluates one category: image metrics, pixel metrics, AU-PRO and the RD4AD variant, exactly.
#pragma once

#include "metrics/rd4ad_pro.h"
#include "metrics/results.h"
#include "metrics/scored_image.h"

#include <span>

namespace kdad::metrics {

struct EvalOptions {
  double pro_limit = 0.3;    ///< AU-PRO integration limit, in (0, 1]
  std::vector<double> extra_pro_limits;  ///< AU-PRO also up to these limits (au_pro_<limit>), each in (0, 1]
  int threads = 1;           ///< worker threads
  double curve_step = 1e-3;  ///< curve downsampling step for plots
  Rd4adProOptions rd4ad;     ///< settings of the RD4AD per-image variant (its threads are set here)
};

/// Checks the inputs (map CV_32FC1 and non-empty; mask empty or CV_8UC1 of the map's size; a
/// normal image has no defect pixel; finite image scores) and throws MetricError naming the image.
void validate_images(std::span<const ScoredImage> images);

/// Every metric of one category (definitions in reference/metrics.md; MVTec AD protocol).
/// Throws MetricError for invalid inputs, including NaN/Inf in a map.
CategoryMetrics evaluate_category(std::span<const ScoredImage> images, const EvalOptions& options);

/// Image-level metrics only, from one score and label per image.
BinaryMetrics evaluate_image_scores(std::span<const ScoredImage> images, double curve_step);

}  // namespace kdad::metrics
