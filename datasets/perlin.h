// 2-D Perlin noise as DRAEM generates its anomaly masks.
#pragma once

#include "core/rng.h"

#include <opencv2/core/mat.hpp>

namespace kdad::datasets {

/// Perlin noise of `rows`×`cols` (CV_64FC1, roughly in [−1, 1]) on a lattice of
/// `lattice_rows`×`lattice_cols` cells: random unit gradients at the (r+1)×(c+1) lattice points
/// (angles 2π·U, row-major), quintic fade 6t⁵−15t⁴+10t³, bilinear blend of the four corner dot
/// products, times √2. rows and cols must be multiples of the lattice sizes.
cv::Mat perlin_noise(int rows, int cols, int lattice_rows, int lattice_cols, Rng& rng);

}  // namespace kdad::datasets
