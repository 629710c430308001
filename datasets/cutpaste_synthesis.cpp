// CutPaste.
#include "datasets/cutpaste_synthesis.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

namespace kdad::datasets {

std::string CutPasteSynthesizer::canonical_options() const {
  return fmt::format("cutpaste:area={}..{},aspect>={},jitter={}", settings_.min_area, settings_.max_area,
                     settings_.min_aspect, settings_.jitter);
}

SynthesisResult CutPasteSynthesizer::synthesize(const cv::Mat& image, Rng& rng) const {
  const double area = rng.uniform(settings_.min_area, settings_.max_area) * image.rows * image.cols;
  const double aspect = std::exp(rng.uniform(std::log(settings_.min_aspect), -std::log(settings_.min_aspect)));
  const int w = std::clamp(static_cast<int>(std::sqrt(area * aspect)), 1, image.cols);
  const int h = std::clamp(static_cast<int>(std::sqrt(area / aspect)), 1, image.rows);
  const cv::Rect source(static_cast<int>(rng.uniform_int(0, image.cols - w)), static_cast<int>(rng.uniform_int(0, image.rows - h)), w, h);
  const cv::Rect target(static_cast<int>(rng.uniform_int(0, image.cols - w)), static_cast<int>(rng.uniform_int(0, image.rows - h)), w, h);
  const double contrast = rng.uniform(1.0 - settings_.jitter, 1.0 + settings_.jitter);
  const double brightness = rng.uniform(-settings_.jitter, settings_.jitter) * 255.0;

  SynthesisResult result;
  result.clean = image;
  result.image = image.clone();
  cv::Mat patch;
  image(source).convertTo(patch, image.type(), contrast, brightness);
  patch.copyTo(result.image(target));
  finish_with_exact_mask(result);
  return result;
}

}  // namespace kdad::datasets
