// Distribution functions the statistics need: standard normal and Student t (no external library).
#pragma once

namespace kdad::metrics {

/// Φ(z), the standard normal CDF.
double normal_cdf(double z);

/// Regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1]; relative
/// accuracy about 1e-14.
double incomplete_beta(double x, double a, double b);

/// P(T ≤ t) for Student's t with `dof` > 0 degrees of freedom.
double student_t_cdf(double t, double dof);

/// The p-quantile of Student's t with `dof` > 0 degrees of freedom, p in (0, 1); absolute
/// accuracy about 1e-12.
double student_t_quantile(double p, double dof);

}  // namespace kdad::metrics
