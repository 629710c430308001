// DRAEM's anomaly synthesis (used by ADPS): Perlin-noise masks filled with an augmented texture
// (from a folder such as DTD, or the image itself), blended with a random opacity.
#pragma once

#include "datasets/synthesis.h"

#include <filesystem>
#include <vector>

namespace kdad::datasets {

struct DraemSettings {
  std::filesystem::path texture_folder;  ///< DTD-like: <folder>/<class>/*.jpg; empty = the image itself
  double rotate_probability = 0.3;       ///< the normal image is first rotated by U(−90°, 90°)
  double clean_probability = 0.5;        ///< a clean sample (empty mask) is returned this often
  double max_opacity = 0.8;              ///< β ~ U(0, max): forged = (1 − β)·texture + β·image
  double threshold = 0.5;                ///< mask = rotated Perlin noise > threshold
  int augmenters = 3;                    ///< distinct augmenters applied to the texture
};

class DraemSynthesizer final : public AnomalySynthesizer {
 public:
  /// Lists the textures (sorted); throws ConfigError naming the folder when it holds none.
  explicit DraemSynthesizer(DraemSettings settings);
  std::string id() const override { return "draem"; }
  std::string canonical_options() const override;
  SynthesisResult synthesize(const cv::Mat& image, Rng& rng) const override;

 private:
  cv::Mat texture_for(const cv::Mat& image, Rng& rng) const;
  DraemSettings settings_;
  std::vector<std::filesystem::path> textures_;
};

}  // namespace kdad::datasets
