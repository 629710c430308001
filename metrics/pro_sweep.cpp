// The PRO curve and its normalised area up to the FPR limit.
//
// Groups without defect pixels leave PRO unchanged, so a run of them is one horizontal segment:
// it is integrated once, when the next group with defect pixels (or the end) arrives.
#include "metrics/pro_sweep.h"

#include <algorithm>

namespace kdad::metrics {

ProSweep::ProSweep(std::uint64_t negatives, std::uint64_t regions, double limit, double curve_step)
    : total_negatives_(negatives), regions_(regions), limit_(limit), curve_(curve_step) {
  curve_.add(0.0, 0.0);
}

void ProSweep::add(std::uint64_t negatives, double overlap_gain) {
  fp_ += negatives;
  if (overlap_gain == 0.0 || total_negatives_ == 0 || regions_ == 0) return;
  overlap_.add(overlap_gain);
  // The horizontal run up to this group's start, then this group's own (diagonal) segment.
  advance_to(fp_ - negatives, previous_pro_);
  advance_to(fp_, std::min(1.0, overlap_.value() / static_cast<double>(regions_)));
}

void ProSweep::advance_to(std::uint64_t fp, double pro) {
  const double fpr = static_cast<double>(fp) / static_cast<double>(total_negatives_);
  if (fpr == previous_fpr_ && pro == previous_pro_) return;
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
    advance_to(fp_, previous_pro_);  // the final horizontal run, to FPR = 1
    m.au_pro = area_ / limit_;
    m.curve = curve_.finish();
  }
  return m;
}

}  // namespace kdad::metrics
