// The PRO curve and its normalised area up to the FPR limit.
//
// Groups without defect pixels leave PRO unchanged, so a run of them is one horizontal segment:
// it is integrated once, when the next group with defect pixels (or the end) arrives.
#include "metrics/pro_sweep.h"

#include <algorithm>
#include <utility>

namespace kdad::metrics {

ProSweep::ProSweep(std::uint64_t negatives, std::uint64_t regions, std::vector<double> limits, double curve_step)
    : total_negatives_(negatives),
      regions_(regions),
      limits_(std::move(limits)),
      areas_(limits_.size(), 0.0),
      limits_reached_(limits_.size(), 0),
      curve_(curve_step) {
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
  for (std::size_t k = 0; k < limits_.size(); ++k) {
    if (limits_reached_[k]) continue;
    const double limit = limits_[k];
    if (fpr <= limit) {
      // Points stacked at exactly the limit add zero-width segments, as in the MVTec code.
      areas_[k] += 0.5 * (fpr - previous_fpr_) * (pro + previous_pro_);
    } else {
      const double pro_at_limit = previous_pro_ + (pro - previous_pro_) * (limit - previous_fpr_) / (fpr - previous_fpr_);
      areas_[k] += 0.5 * (limit - previous_fpr_) * (pro_at_limit + previous_pro_);
      limits_reached_[k] = 1;
    }
  }
  previous_fpr_ = fpr;
  previous_pro_ = pro;
  curve_.add(fpr, pro);
}

ProMetrics ProSweep::finish() {
  ProMetrics m;
  m.limit = limits_.front();
  m.regions = regions_;
  const bool defined = total_negatives_ > 0 && regions_ > 0;
  if (defined) {
    advance_to(fp_, previous_pro_);  // the final horizontal run, to FPR = 1
    m.au_pro = areas_.front() / limits_.front();
    m.curve = curve_.finish();
  }
  for (std::size_t k = 1; k < limits_.size(); ++k) {
    m.also.push_back({limits_[k], defined ? std::optional<double>(areas_[k] / limits_[k]) : std::nullopt});
  }
  return m;
}

}  // namespace kdad::metrics
