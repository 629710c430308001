// Gaussian smoothing with SciPy's gaussian_filter semantics (the smoothing of RD and MRKD maps).
#pragma once

#include <opencv2/core/mat.hpp>

namespace kdad::methods {

/// scipy.ndimage.gaussian_filter(map, sigma, truncate=truncate, mode='reflect') for a 2-D map:
/// a separable kernel of radius int(truncate·sigma + 0.5), weights exp(−x²/2σ²) normalised, border
/// 'reflect' (half-sample symmetric, d c b a | a b c d), computed in double. Input and output CV_32FC1.
cv::Mat scipy_gaussian_filter(const cv::Mat& map, double sigma, double truncate = 4.0);

}  // namespace kdad::methods
