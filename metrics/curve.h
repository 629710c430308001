// Curves for plotting (ROC, PR, PRO): points kept only where the curve visibly moves.
#pragma once

#include <vector>

namespace kdad::metrics {

/// A curve as two equally long coordinate lists, in sweep order (descending threshold).
struct Curve {
  std::vector<double> x;
  std::vector<double> y;
};

/// Downsamples a curve while it is being swept: keeps the first and last point and every point
/// that moved at least `min_step` in x or y since the last kept one. With min_step = 1e-3 a
/// monotone curve keeps at most about 2000 points, however many operating points it has.
class CurveSampler {
 public:
  explicit CurveSampler(double min_step) : min_step_(min_step) {}

  void add(double x, double y);
  /// The kept points, including the last point added.
  Curve finish();

 private:
  double min_step_;
  Curve curve_;
  double pending_x_ = 0.0;
  double pending_y_ = 0.0;
  bool has_pending_ = false;
};

}  // namespace kdad::metrics
