// CutPaste (Li et al., CVPR 2021): a rectangle of the image, colour-jittered, pasted elsewhere.
#pragma once

#include "datasets/synthesis.h"

namespace kdad::datasets {

struct CutPasteSettings {
  double min_area = 0.02;  ///< patch area as a fraction of the image
  double max_area = 0.15;
  double min_aspect = 0.3; ///< aspect ratio log-uniform in [min, 1/min]
  double jitter = 0.1;     ///< brightness and contrast jitter of the patch, ±fraction
};

class CutPasteSynthesizer final : public AnomalySynthesizer {
 public:
  explicit CutPasteSynthesizer(CutPasteSettings settings = {}) : settings_(settings) {}
  std::string id() const override { return "cutpaste"; }
  std::string canonical_options() const override;
  SynthesisResult synthesize(const cv::Mat& image, Rng& rng) const override;

 private:
  CutPasteSettings settings_;
};

}  // namespace kdad::datasets
