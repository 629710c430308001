// AU-ROC, AP and F1-max accumulated over tie groups.
//
// Groups without positives are the vast majority on real maps and change only FP: AP and the
// curves' shapes do not move, and F1 can only fall, so such groups cost two integer operations.
// Everything else is evaluated at groups that contain positives.
#include "metrics/ranking_sweep.h"

namespace kdad::metrics {

RankingSweep::RankingSweep(std::uint64_t negatives, std::uint64_t positives, double curve_step)
    : total_negatives_(negatives), total_positives_(positives), roc_(curve_step), pr_(curve_step) {
  if (negatives > 0 && positives > 0) roc_.add(0.0, 0.0);
}

void RankingSweep::add(float score, std::uint64_t negatives, std::uint64_t positives) {
  const std::uint64_t tp_before = tp_;
  const std::uint64_t fp_before = fp_;
  fp_ += negatives;
  tp_ += positives;
  // A tie group is one diagonal ROC segment: its trapezoid is Δfp · (tp_before + tp_after) / 2.
  twice_area_ += static_cast<unsigned __int128>(negatives) * (tp_before + tp_);
  if (positives == 0) return;

  const auto n_pos = static_cast<double>(total_positives_);
  const double recall = static_cast<double>(tp_) / n_pos;
  const double precision = static_cast<double>(tp_) / static_cast<double>(tp_ + fp_);
  ap_ += static_cast<double>(positives) / n_pos * precision;
  const double f1 = 2.0 * static_cast<double>(tp_) / static_cast<double>(tp_ + fp_ + total_positives_);
  if (f1 > best_f1_) {
    best_f1_ = f1;
    best_threshold_ = score;
  }
  pr_.add(recall, precision);
  if (total_negatives_ > 0) {
    const auto n_neg = static_cast<double>(total_negatives_);
    roc_.add(static_cast<double>(fp_before) / n_neg, static_cast<double>(tp_before) / n_pos);
    roc_.add(static_cast<double>(fp_) / n_neg, recall);
  }
}

BinaryMetrics RankingSweep::finish() {
  BinaryMetrics m;
  m.negatives = total_negatives_;
  m.positives = total_positives_;
  if (total_negatives_ > 0 && total_positives_ > 0) {
    const long double denominator =
        2.0L * static_cast<long double>(total_negatives_) * static_cast<long double>(total_positives_);
    m.auroc = static_cast<double>(static_cast<long double>(twice_area_) / denominator);
    roc_.add(static_cast<double>(fp_) / static_cast<double>(total_negatives_),
             static_cast<double>(tp_) / static_cast<double>(total_positives_));
    m.roc = roc_.finish();
  }
  if (total_positives_ > 0) {
    m.ap = ap_;
    m.f1_max = best_f1_;
    m.f1_threshold = static_cast<double>(best_threshold_);
    m.pr = pr_.finish();
  }
  return m;
}

}  // namespace kdad::metrics
