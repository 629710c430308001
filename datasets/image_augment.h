// The colour and geometry augmenters DRAEM applies to its anomaly textures (imgaug's in kind and
// parameter range; imgaug's own random stream cannot be reproduced outside Python).
#pragma once

#include "core/rng.h"

#include <opencv2/core/mat.hpp>

#include <string>

namespace kdad::datasets {

/// The ten augmenters of DRAEM's list, in its order.
enum class Augmenter {
  gamma_contrast,      ///< per channel γ ~ U(0.5, 2): 255·(x/255)^γ
  brightness,          ///< brightness channel of a random colour space ·U(0.8,1.2) and +U(−30,30)
  sharpness,           ///< PIL EnhanceSharpness, factor ~ U(0, 2)
  hue_saturation,      ///< add U(−50, 50) to hue and, independently, to saturation
  solarize,            ///< with p = 0.5 invert values ≥ t, t ~ U(32, 128)
  posterize,           ///< keep the top B ∈ {1..8} bits
  invert,              ///< 255 − x
  autocontrast,        ///< PIL autocontrast with cutoff ∈ {0..20} %
  equalize,            ///< histogram equalisation per channel
  rotate,              ///< rotate by U(−45°, 45°) about the centre, bilinear, black border
};

inline constexpr int kAugmenterCount = 10;

/// Applies one augmenter to an 8-bit image (BGR or grey), returning a new image of the same type.
cv::Mat augment(const cv::Mat& image, Augmenter augmenter, Rng& rng);

/// Rotates about the centre by `degrees` (bilinear, constant 0 border); works for any depth.
cv::Mat rotate_about_center(const cv::Mat& image, double degrees);

std::string augmenter_name(Augmenter augmenter);

}  // namespace kdad::datasets
