// AU-ROC, AP and F1-max from tie groups visited in descending score order, in one pass.
#pragma once

#include "metrics/curve.h"
#include "metrics/results.h"

#include <cstdint>

namespace kdad::metrics {

/// Accumulates the ROC and PR operating points of a ranking. Feed every distinct score once, from
/// the highest down, with the number of negatives and positives that have exactly that score.
/// Counters are 64-bit; the ROC area is accumulated exactly in 128-bit integers.
class RankingSweep {
 public:
  /// `negatives`/`positives`: totals over the whole ranking; `curve_step`: see CurveSampler.
  RankingSweep(std::uint64_t negatives, std::uint64_t positives, double curve_step);

  void add(float score, std::uint64_t negatives, std::uint64_t positives);
  /// The metrics; a metric whose class is missing stays undefined.
  BinaryMetrics finish();

 private:
  std::uint64_t total_negatives_;
  std::uint64_t total_positives_;
  std::uint64_t fp_ = 0;
  std::uint64_t tp_ = 0;
  unsigned __int128 twice_area_ = 0;  ///< Σ Δfp · (tp_before + tp_after), in units of 1
  double ap_ = 0.0;
  double best_f1_ = -1.0;
  float best_threshold_ = 0.0f;
  CurveSampler roc_;
  CurveSampler pr_;
};

}  // namespace kdad::metrics
