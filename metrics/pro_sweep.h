// The MVTec AD PRO curve and its area up to an FPR limit, from tie groups in descending order.
#pragma once

#include "metrics/compensated_sum.h"
#include "metrics/curve.h"
#include "metrics/results.h"

#include <cstdint>

namespace kdad::metrics {

/// Accumulates (FPR, PRO) points: FPR over all defect-free pixels of all images, PRO = mean over
/// regions of the covered fraction. The curve starts at (0,0); the area is integrated with the
/// trapezoid rule, PRO interpolated linearly at exactly `limit`, and divided by `limit`.
class ProSweep {
 public:
  /// `negatives`: defect-free pixels in total; `regions`: ground-truth regions in total;
  /// `limit` in (0, 1].
  ProSweep(std::uint64_t negatives, std::uint64_t regions, double limit, double curve_step);

  /// One tie group: its defect-free pixel count and Σ 1/|region| over its defect pixels.
  void add(std::uint64_t negatives, double overlap_gain);
  ProMetrics finish();

 private:
  /// Extends the curve to (fp / negatives, pro), integrating the segment up to the limit.
  void advance_to(std::uint64_t fp, double pro);

  std::uint64_t total_negatives_;
  std::uint64_t regions_;
  double limit_;
  std::uint64_t fp_ = 0;
  CompensatedSum overlap_;  ///< Σ over regions of the covered fraction
  double area_ = 0.0;
  double previous_fpr_ = 0.0;
  double previous_pro_ = 0.0;
  bool limit_reached_ = false;
  CurveSampler curve_;
};

}  // namespace kdad::metrics
