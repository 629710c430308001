// Writing a cell's heat-map gallery.
#include "harness/scoring/gallery.h"
#include "harness/scoring/scoring.h"

#include "datasets/image_io.h"

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <limits>
#include <numeric>

namespace kdad::harness {
namespace fs = std::filesystem;
namespace {

// Indices of images with `label`, ordered by score (descending when `highest_first`), ties by id,
// so the choice does not depend on the order of the test list.
std::vector<std::size_t> ranked(std::span<const metrics::ScoredImage> images, Label label, bool highest_first) {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (images[i].label == label) indices.push_back(i);
  }
  std::sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
    if (images[a].score != images[b].score) return highest_first ? images[a].score > images[b].score
                                                                 : images[a].score < images[b].score;
    return images[a].id < images[b].id;
  });
  return indices;
}

// Scales `image` to fit a size×size square (aspect kept) and centres it on a `fill` background.
cv::Mat letterbox(const cv::Mat& image, int size, int interpolation, double fill) {
  const double scale = static_cast<double>(size) / std::max(image.cols, image.rows);
  const cv::Size fitted(std::max(1, static_cast<int>(image.cols * scale + 0.5)),
                        std::max(1, static_cast<int>(image.rows * scale + 0.5)));
  cv::Mat resized;
  cv::resize(image, resized, fitted, 0, 0, interpolation);
  cv::Mat square(size, size, image.type(), cv::Scalar::all(fill));
  resized.copyTo(square(cv::Rect((size - fitted.width) / 2, (size - fitted.height) / 2, fitted.width, fitted.height)));
  return square;
}

cv::Mat panel(const Sample& sample, const metrics::ScoredImage& scored, double low, double high, int size) {
  cv::Mat colour;
  if (sample.image.channels() == 1) {
    cv::cvtColor(sample.image, colour, cv::COLOR_GRAY2BGR);
  } else {
    colour = sample.image;
  }
  const cv::Mat image = letterbox(colour, size, cv::INTER_AREA, 32.0);  // dark grey
  cv::Mat map = letterbox(scored.map, size, cv::INTER_LINEAR, low);     // the coldest colour
  cv::Mat map8;
  const double range = high > low ? high - low : 1.0;
  map.convertTo(map8, CV_8UC1, 255.0 / range, -low * 255.0 / range);
  cv::Mat heat;
  cv::applyColorMap(map8, heat, cv::COLORMAP_JET);
  cv::Mat overlay;
  cv::addWeighted(image, 0.5, heat, 0.5, 0.0, overlay);
  if (!scored.mask.empty() && cv::countNonZero(scored.mask) > 0) {
    cv::Mat mask = letterbox(scored.mask, size, cv::INTER_NEAREST, 0.0);  // no contour around the padding
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    cv::drawContours(overlay, contours, -1, cv::Scalar(255, 255, 255), 1, cv::LINE_8);
  }
  cv::Mat both;
  cv::hconcat(image, overlay, both);
  return both;
}

}  // namespace

std::vector<reports::ArtifactRecord> write_gallery(const datasets::Dataset& dataset,
                                                   const std::vector<datasets::SampleRef>& refs,
                                                   std::span<const metrics::ScoredImage> images, const fs::path& folder,
                                                   const GallerySpec& spec) {
  std::vector<reports::ArtifactRecord> artifacts;
  std::error_code ec;
  fs::remove_all(folder, ec);  // a re-run of the cell replaces its gallery
  if (images.empty() || spec.per_role <= 0) return artifacts;
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (const auto& image : images) {
    double lo = 0, hi = 0;
    cv::minMaxLoc(image.map, &lo, &hi);
    low = std::min(low, lo);
    high = std::max(high, hi);
  }
  const struct {
    const char* role;
    std::vector<std::size_t> order;
  } roles[] = {{"false_alarm", ranked(images, Label::normal, true)},
               {"missed", ranked(images, Label::anomalous, false)},
               {"detected", ranked(images, Label::anomalous, true)}};
  for (const auto& [role, order] : roles) {
    const std::size_t count = std::min(order.size(), static_cast<std::size_t>(spec.per_role));
    for (std::size_t rank = 0; rank < count; ++rank) {
      const std::size_t i = order[rank];
      const Sample sample = dataset.load(refs[i]);
      const fs::path file = fs::absolute(folder / fmt::format("{}_{}.jpg", role, rank));
      metrics::ScoredImage shown = images[i];
      if (spec.map_frame) {
        shown.map = map_in_image_frame(shown.map, sample.image.size(), *spec.map_frame);
        shown.mask = sample.mask;
      }
      datasets::write_image(file, panel(sample, shown, low, high, spec.size));
      artifacts.push_back({"gallery", role, static_cast<std::int64_t>(rank), images[i].id, file.string(),
                           static_cast<std::int64_t>(fs::file_size(file))});
    }
  }
  return artifacts;
}

}  // namespace kdad::harness
