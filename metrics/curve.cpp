// Curves for plotting: the downsampling rule.
#include "metrics/curve.h"

#include <cmath>

namespace kdad::metrics {

void CurveSampler::add(double x, double y) {
  if (curve_.x.empty() ||
      std::fabs(x - curve_.x.back()) >= min_step_ || std::fabs(y - curve_.y.back()) >= min_step_) {
    curve_.x.push_back(x);
    curve_.y.push_back(y);
    has_pending_ = false;
    return;
  }
  pending_x_ = x;
  pending_y_ = y;
  has_pending_ = true;
}

Curve CurveSampler::finish() {
  if (has_pending_) {
    curve_.x.push_back(pending_x_);
    curve_.y.push_back(pending_y_);
    has_pending_ = false;
  }
  return std::move(curve_);
}

}  // namespace kdad::metrics
