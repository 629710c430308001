// Neumaier-compensated summation: sums of millions of 1/|R| terms stay accurate to ~1 ulp.
#pragma once

#include <cmath>

namespace kdad::metrics {

class CompensatedSum {
 public:
  void add(double term) {
    const double sum = sum_ + term;
    compensation_ += std::fabs(sum_) >= std::fabs(term) ? (sum_ - sum) + term : (term - sum) + sum_;
    sum_ = sum;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0.0;
  double compensation_ = 0.0;
};

}  // namespace kdad::metrics
