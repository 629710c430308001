// The MVTec AD PRO curve and its area up to an FPR limit, from tie groups in descending order.
#pragma once

#include "metrics/compensated_sum.h"
#include "metrics/curve.h"
#include "metrics/results.h"

#include <cstdint>
#include <vector>

namespace kdad::metrics {

/// Accumulates (FPR, PRO) points: FPR over all defect-free pixels of all images, PRO = mean over
/// regions of the covered fraction. The curve starts at (0,0); the area is integrated with the
/// trapezoid rule, PRO interpolated linearly at exactly each limit, and divided by it.
class ProSweep {
 public:
  /// `negatives`: defect-free pixels in total; `regions`: ground-truth regions in total;
  /// `limits` in (0, 1]: the first is AU-PRO's, the others give ProMetrics::also.
  ProSweep(std::uint64_t negatives, std::uint64_t regions, std::vector<double> limits, double curve_step);

  /// One tie group: its defect-free pixel count and Σ 1/|region| over its defect pixels.
  void add(std::uint64_t negatives, double overlap_gain);
  ProMetrics finish();

 private:
  /// Extends the curve to (fp / negatives, pro), integrating the segment up to each limit.
  void advance_to(std::uint64_t fp, double pro);

  std::uint64_t total_negatives_;
  std::uint64_t regions_;
  std::vector<double> limits_;
  std::uint64_t fp_ = 0;
  CompensatedSum overlap_;  ///< Σ over regions of the covered fraction
  std::vector<double> areas_;          ///< per limit
  std::vector<char> limits_reached_;   ///< per limit
  double previous_fpr_ = 0.0;
  double previous_pro_ = 0.0;
  CurveSampler curve_;
};

}  // namespace kdad::metrics
