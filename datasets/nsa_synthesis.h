// MRKD's image-level masking (ILM): NSA-style patch exchange within one image, with MRKD's
// per-category settings and object-aware placement.
#pragma once

#include "datasets/synthesis.h"

#include <optional>
#include <string>

namespace kdad::datasets {

/// Settings of one category (MRKD main.py). Half-widths are fractions of the image side.
struct NsaSettings {
  double min_half_rows = 0.03;  ///< bounds of the patch half-height, fraction of the image height
  double max_half_rows = 0.40;
  double min_half_cols = 0.03;  ///< bounds of the patch half-width, fraction of the image width
  double max_half_cols = 0.40;
  int max_patches = 4;          ///< first patch always, each further one with probability 1/2
  /// Object-aware placement: object pixels are |mean(RGB) − value| > threshold (then a 7×7 median);
  /// absent for textures and objects filling the image.
  std::optional<std::pair<int, int>> background;
  double min_object = 0.7;      ///< source patch must be more than this fraction object
  double min_overlap = 0.25;    ///< source object pixels landing on object, fraction
  double gamma_shape = 2.0;     ///< half-width = (offset + Gamma(shape, scale)) · side, clipped
  double gamma_scale = 0.05;
  double gamma_offset = 0.03;
  int attempts = 200;           ///< placement tries per patch before it is skipped
};

/// MRKD's table for the 15 MVTec AD categories; `std::nullopt` for any other category.
std::optional<NsaSettings> mrkd_nsa_settings(const std::string& category);

/// Patch exchange ("swap", same image, shifted): 1..max_patches rectangles copied from the
/// untouched image to new positions of the forged one, limited to object pixels when a background
/// is set. The mask marks exactly the pixels whose value changed (MRKD's loss does not use
/// NSA's own smoothed label).
class NsaSynthesizer final : public AnomalySynthesizer {
 public:
  explicit NsaSynthesizer(NsaSettings settings) : settings_(settings) {}
  std::string id() const override { return "nsa"; }
  std::string canonical_options() const override;
  SynthesisResult synthesize(const cv::Mat& image, Rng& rng) const override;
  const NsaSettings& settings() const { return settings_; }

 private:
  NsaSettings settings_;
};

/// The object mask NSA uses: CV_8UC1 0/1, |mean over channels − value| > threshold, 7×7 median.
cv::Mat nsa_object_mask(const cv::Mat& image, int value, int threshold);

}  // namespace kdad::datasets
