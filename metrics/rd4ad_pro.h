// RD4AD's per-image AU-PRO, reproduced exactly but computed without binarising any map.
#pragma once

#include "metrics/results.h"
#include "metrics/scored_image.h"

#include <span>

namespace kdad::metrics {

struct Rd4adProOptions {
  int thresholds = 200;       ///< RD4AD's num_th: step = (max − min) / thresholds
  double fpr_limit = 0.3;     ///< points with FPR < limit (strict) are kept, as in RD4AD
  Rd4adPolicy policy = Rd4adPolicy::skip;
  int threads = 1;
};

/// For every anomalous image: thresholds as numpy.arange(min, max, (max − min)/thresholds) over the
/// image's own map, binarisation map > t, FPR over the image's own defect-free pixels, PRO = mean
/// over the image's 8-connected regions, points with FPR < limit kept, FPR divided by its largest
/// kept value, trapezoid area (sklearn.metrics.auc). Then the mean over images, with `policy` for
/// the images the original code cannot score. Normal images are not used (RD4AD skips them).
Rd4adProMetrics rd4ad_per_image_au_pro(std::span<const ScoredImage> images,
                                       const Rd4adProOptions& options);

}  // namespace kdad::metrics
