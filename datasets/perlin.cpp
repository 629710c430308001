// 2-D Perlin noise (DRAEM's rand_perlin_2d_np, reimplemented).
#include "datasets/perlin.h"

#include "core/error.h"

#include <cmath>
#include <numbers>
#include <vector>

namespace kdad::datasets {
namespace {

double fade(double t) { return ((6 * t - 15) * t + 10) * t * t * t; }

double lerp(double a, double b, double w) { return (b - a) * w + a; }

}  // namespace

cv::Mat perlin_noise(int rows, int cols, int lattice_rows, int lattice_cols, Rng& rng) {
  if (lattice_rows <= 0 || lattice_cols <= 0 || rows % lattice_rows != 0 || cols % lattice_cols != 0) {
    throw InternalError("perlin_noise", "image size must be a multiple of the lattice size");
  }
  std::vector<double> gx(static_cast<std::size_t>((lattice_rows + 1) * (lattice_cols + 1)));
  std::vector<double> gy(gx.size());
  for (std::size_t i = 0; i < gx.size(); ++i) {
    const double angle = 2 * std::numbers::pi * rng.uniform();
    gx[i] = std::cos(angle);
    gy[i] = std::sin(angle);
  }
  auto at = [&](int a, int b) { return static_cast<std::size_t>(a * (lattice_cols + 1) + b); };
  const int cell_rows = rows / lattice_rows, cell_cols = cols / lattice_cols;
  cv::Mat noise(rows, cols, CV_64F);
  for (int i = 0; i < rows; ++i) {
    const int a = i / cell_rows;
    const double fx = std::fmod(static_cast<double>(i) * lattice_rows / rows, 1.0);
    double* row = noise.ptr<double>(i);
    for (int j = 0; j < cols; ++j) {
      const int b = j / cell_cols;
      const double fy = std::fmod(static_cast<double>(j) * lattice_cols / cols, 1.0);
      const double n00 = gx[at(a, b)] * fx + gy[at(a, b)] * fy;
      const double n10 = gx[at(a + 1, b)] * (fx - 1) + gy[at(a + 1, b)] * fy;
      const double n01 = gx[at(a, b + 1)] * fx + gy[at(a, b + 1)] * (fy - 1);
      const double n11 = gx[at(a + 1, b + 1)] * (fx - 1) + gy[at(a + 1, b + 1)] * (fy - 1);
      const double tx = fade(fx), ty = fade(fy);
      row[j] = std::sqrt(2.0) * lerp(lerp(n00, n10, tx), lerp(n01, n11, tx), ty);
    }
  }
  return noise;
}

}  // namespace kdad::datasets
