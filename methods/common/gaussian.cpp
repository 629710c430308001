// Gaussian smoothing with SciPy's semantics.
#include "methods/common/gaussian.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

namespace kdad::methods {

cv::Mat scipy_gaussian_filter(const cv::Mat& map, double sigma, double truncate) {
  if (sigma <= 0) return map.clone();
  const int radius = static_cast<int>(truncate * sigma + 0.5);
  cv::Mat kernel(2 * radius + 1, 1, CV_64F);
  double total = 0;
  for (int x = -radius; x <= radius; ++x) {
    const double w = std::exp(-0.5 * x * x / (sigma * sigma));
    kernel.at<double>(x + radius) = w;
    total += w;
  }
  kernel /= total;
  cv::Mat wide, smoothed, out;
  map.convertTo(wide, CV_64F);
  // OpenCV's BORDER_REFLECT (fedcba|abcdefgh|hgfedcb) is SciPy's 'reflect'.
  cv::sepFilter2D(wide, smoothed, CV_64F, kernel, kernel, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  smoothed.convertTo(out, CV_32F);
  return out;
}

}  // namespace kdad::methods
