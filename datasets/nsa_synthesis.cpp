// MRKD's image-level masking (NSA patch exchange).
#include "datasets/nsa_synthesis.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace kdad::datasets {
namespace {

struct Entry {
  const char* category;
  NsaSettings settings;
};

NsaSettings make(double rows_lo, double rows_hi, double cols_lo, double cols_hi, int patches,
                 std::optional<std::pair<int, int>> background = std::nullopt, double min_object = 0.7) {
  NsaSettings s;
  s.min_half_rows = rows_lo;
  s.max_half_rows = rows_hi;
  s.min_half_cols = cols_lo;
  s.max_half_cols = cols_hi;
  s.max_patches = patches;
  s.background = background;
  s.min_object = min_object;
  return s;
}

// Pixel bound of a fraction of the side, rounded half to even like numpy's round.
int bound(double fraction, int side) { return static_cast<int>(std::nearbyint(fraction * side)); }

double object_fraction(const cv::Mat& object, const cv::Rect& rect) {
  return static_cast<double>(cv::countNonZero(object(rect))) / static_cast<double>(rect.area());
}

}  // namespace

std::optional<NsaSettings> mrkd_nsa_settings(const std::string& category) {
  const std::pair<int, int> light{200, 60}, dark{20, 20};
  const Entry table[] = {
      {"bottle", make(0.03, 0.40, 0.03, 0.40, 3, light)},
      {"cable", make(0.01, 0.05, 0.01, 0.10, 3)},
      {"capsule", make(0.01, 0.05, 0.01, 0.05, 1, light)},
      {"hazelnut", make(0.03, 0.35, 0.03, 0.35, 3, dark)},
      {"metal_nut", make(0.01, 0.05, 0.01, 0.01, 1, dark, 0.5)},
      {"pill", make(0.01, 0.05, 0.01, 0.05, 1, dark)},
      {"screw", make(0.01, 0.05, 0.01, 0.05, 1, light, 0.5)},
      {"toothbrush", make(0.01, 0.01, 0.01, 0.01, 1, dark, 0.25)},
      {"transistor", make(0.03, 0.40, 0.03, 0.40, 3)},
      {"zipper", make(0.01, 0.05, 0.01, 0.01, 1, light)},
      {"carpet", make(0.03, 0.40, 0.03, 0.40, 4)},
      {"grid", make(0.01, 0.05, 0.01, 0.10, 4)},
      {"leather", make(0.03, 0.40, 0.03, 0.40, 4)},
      {"tile", make(0.01, 0.05, 0.01, 0.10, 4)},
      {"wood", make(0.01, 0.05, 0.01, 0.01, 4)},
  };
  for (const auto& entry : table) {
    if (category == entry.category) return entry.settings;
  }
  return std::nullopt;
}

cv::Mat nsa_object_mask(const cv::Mat& image, int value, int threshold) {
  cv::Mat sum;
  image.convertTo(sum, CV_64F);
  if (image.channels() > 1) {
    cv::transform(sum, sum, cv::Matx<double, 1, 3>(1.0 / 3, 1.0 / 3, 1.0 / 3));
  }
  cv::Mat object = cv::abs(sum - value) > threshold;  // 0/255
  object /= 255;
  cv::medianBlur(object, object, 7);
  return object;
}

std::string NsaSynthesizer::canonical_options() const {
  const auto& s = settings_;
  return fmt::format("nsa:rows={}..{},cols={}..{},patches={},background={},min_object={},min_overlap={},"
                     "gamma={}/{}/{},attempts={}",
                     s.min_half_rows, s.max_half_rows, s.min_half_cols, s.max_half_cols, s.max_patches,
                     s.background ? fmt::format("{}/{}", s.background->first, s.background->second) : "none",
                     s.min_object, s.min_overlap, s.gamma_shape, s.gamma_scale, s.gamma_offset, s.attempts);
}

SynthesisResult NsaSynthesizer::synthesize(const cv::Mat& image, Rng& rng) const {
  const NsaSettings& s = settings_;
  const int rows = image.rows, cols = image.cols;
  const int min_rows = std::max(1, bound(s.min_half_rows, rows)), max_rows = std::max(min_rows, bound(s.max_half_rows, rows));
  const int min_cols = std::max(1, bound(s.min_half_cols, cols)), max_cols = std::max(min_cols, bound(s.max_half_cols, cols));
  const cv::Mat object = s.background ? nsa_object_mask(image, s.background->first, s.background->second) : cv::Mat();

  SynthesisResult result;
  result.clean = image;
  result.image = image.clone();
  for (int patch = 0; patch < s.max_patches; ++patch) {
    if (patch > 0 && !rng.bernoulli(0.5)) continue;
    const int half_rows = static_cast<int>(std::clamp((s.gamma_offset + rng.gamma(s.gamma_shape, s.gamma_scale)) * rows,
                                                      static_cast<double>(min_rows), static_cast<double>(max_rows)));
    const int half_cols = static_cast<int>(std::clamp((s.gamma_offset + rng.gamma(s.gamma_shape, s.gamma_scale)) * cols,
                                                      static_cast<double>(min_cols), static_cast<double>(max_cols)));
    // Source rectangle: centred anywhere at least the minimum half-width from the border, clipped.
    std::optional<cv::Rect> source;
    for (int attempt = 0; attempt < s.attempts && !source; ++attempt) {
      const auto r = static_cast<int>(rng.uniform_int(min_rows, std::max(min_rows, rows - min_rows - 1)));
      const auto c = static_cast<int>(rng.uniform_int(min_cols, std::max(min_cols, cols - min_cols - 1)));
      const cv::Rect rect = cv::Rect(c - half_cols, r - half_rows, 2 * half_cols, 2 * half_rows) & cv::Rect(0, 0, cols, rows);
      if (rect.area() == 0) continue;
      if (!s.background || object_fraction(object, rect) > s.min_object) source = rect;
    }
    if (!source) continue;
    const int h = source->height, w = source->width;
    // Destination: same size, fully inside, avoiding the outermost row and column like NSA.
    std::optional<cv::Rect> destination;
    for (int attempt = 0; attempt < s.attempts && !destination; ++attempt) {
      const int r = static_cast<int>(rng.uniform_int(h / 2 + 1, std::max(h / 2 + 1, rows - h / 2 - 2)));
      const int c = static_cast<int>(rng.uniform_int(w / 2 + 1, std::max(w / 2 + 1, cols - w / 2 - 2)));
      const cv::Rect rect(c - w / 2, r - h / 2, w, h);
      if ((rect & cv::Rect(0, 0, cols, rows)) != rect) continue;
      if (!s.background) {
        destination = rect;
        continue;
      }
      const cv::Mat source_object = object(*source);
      const double source_pixels = cv::countNonZero(source_object);
      const double overlap = cv::countNonZero(source_object & object(rect));
      if (source_pixels > 0 && overlap / source_pixels > s.min_overlap) destination = rect;
    }
    if (!destination) continue;
    cv::Mat paste_mask = cv::Mat::ones(h, w, CV_8UC1);
    if (s.background) paste_mask = object(*source) | object(*destination);
    image(*source).copyTo(result.image(*destination), paste_mask);  // copied from the untouched image
  }
  finish_with_exact_mask(result);
  return result;
}

}  // namespace kdad::datasets
