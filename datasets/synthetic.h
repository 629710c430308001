// A seeded generator of MVTec-layout datasets (textured images, drawn defects, exact masks) for
// tests, benchmarks and the demo.
#pragma once

#include "core/rng.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kdad::datasets {

/// Kinds of generated categories.
/// weave: colour grating texture; speckle: grayscale blurred-noise texture (single-channel PNGs,
/// like MVTec's grid/screw/zipper); disc: an object (bright disc with a ring) on a dark background.
const std::vector<std::string>& synthetic_category_names();

/// Defect types drawn into test images: blob (ellipse), scratch (thin 1–2 px random-walk line),
/// edge (a blob cut by the image border), spots (several small dots, some single pixels).
const std::vector<std::string>& synthetic_defect_names();

struct SyntheticSpec {
  std::vector<std::string> categories = {"weave", "speckle", "disc"};
  int image_size = 128;        ///< square images, pixels (32..2048)
  int train_images = 16;       ///< train/good images per category
  int test_good_images = 6;    ///< test/good images per category
  int test_images_per_defect = 3;
  std::uint64_t seed = 0;
};

/// Renders a normal image of `category`; identical for the same (category, rng state).
cv::Mat render_normal(const std::string& category, int size, Rng& rng);

/// Draws a defect of `defect` type into `image` (in place) and returns its mask.
cv::Mat draw_defect(const std::string& category, const std::string& defect, cv::Mat& image, Rng& rng);

/// Writes the dataset under `root` in the MVTec AD layout (PNG images, masks 0/255, a README.txt).
/// Throws ConfigError for an unknown category or out-of-range size/count, and IoError when `root`
/// exists and is not an empty folder (nothing already there is overwritten).
void make_synthetic_dataset(const std::filesystem::path& root, const SyntheticSpec& spec);

}  // namespace kdad::datasets
