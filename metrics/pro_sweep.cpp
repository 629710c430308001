// The PRO curve and its normalised area up to the FPR limit.
#include "metrics/pro_sweep.h"

#include <algorithm>
#include <cmath>

namespace kdad::metrics {

ProSweep::ProSweep(std::uint64_t negatives, std::uint64_t regions, double limit, double curve_step)
    : total_negatives_(negatives), regions_(regions), limit_(limit), curve_(curve_step) {
  curve_.add(0.0, 0.0);
}

void ProSweep::add(std::uint64_t negatives, double overlap_gain) {
  fp_ += negatives;
  overlap_.add(overlap_gain);
  if (total_negatives_ == 0 || regions_ == 0) return;

  const double fpr = static_cast<double>(fp_) / static_cast<double>(total_negatives_);
  const double pro =
      std::min(1.0, overlap_.value() / static_cast<double>(regions_));
  if (!limit_reached_) {
    if (fpr <= limit_) {
      // Points stacked at exactly the limit add zero-width segments, as in the MVTec code.
      area_ += 0.5 * (fpr - previous_fpr_) * (pro + previous_pro_);
    } else {
      const double pro_at_limit =
          previous_pro_ + (pro - previous_pro_) * (limit_ - previous_fpr_) / (fpr - previous_fpr_);
      area_ += 0.5 * (limit_ - previous_fpr_) * (pro_at_limit + previous_pro_);
      limit_reached_ = true;
    }
  }
  previous_fpr_ = fpr;
  previous_pro_ = pro;
  curve_.add(fpr, pro);
}

ProMetrics ProSweep::finish() {
  ProMetrics m;
  m.limit = limit_;
  m.regions = regions_;
  if (total_negatives_ > 0 && regions_ > 0) {
    m.au_pro = area_ / limit_;
    m.curve = curve_.finish();
  }
  return m;
}

}  // namespace kdad::metrics
