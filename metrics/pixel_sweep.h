// Pixel-level metrics of a category: one sort of all pixel scores feeds AU-ROC, AP, F1-max and the
// exact AU-PRO in a single linear sweep.
#pragma once

#include "metrics/results.h"
#include "metrics/scored_image.h"

#include <span>
#include <vector>

namespace kdad::metrics {

struct PixelSweepOptions {
  double pro_limit = 0.3;    ///< FPR integration limit of AU-PRO, in (0, 1]
  int threads = 1;           ///< worker threads for labelling and sorting
  double curve_step = 1e-3;  ///< curve downsampling step (CurveSampler)
  std::vector<double> extra_pro_limits;  ///< further limits (ProMetrics::also), each in (0, 1]
};

struct PixelMetrics {
  BinaryMetrics ranking;  ///< pixel AU-ROC, AP, F1-max over every pixel of every image
  ProMetrics pro;         ///< MVTec AU-PRO
};

/// Pools every pixel of `images` (maps and masks already validated: same sizes, CV_32F/CV_8U) and
/// computes the pixel metrics exactly, tied scores grouped.
/// Time: O(P) passes plus a radix sort; extra memory: 8 bytes per pixel plus one label image per
/// thread. Throws MetricError naming the image when a map holds NaN or ±Inf.
PixelMetrics sweep_pixels(std::span<const ScoredImage> images, const PixelSweepOptions& options);

}  // namespace kdad::metrics
