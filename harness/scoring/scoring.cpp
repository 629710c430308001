// The one scoring path: maps → scored images → metrics → cell records.
#include "harness/scoring/scoring.h"

#include "core/error.h"
#include "datasets/resize.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace kdad::harness {
namespace {

cv::Mat resized_to(const cv::Mat& map, cv::Size size) {
  if (map.size() == size) return map;
  cv::Mat out;
  cv::resize(map, out, size, 0, 0, cv::INTER_LINEAR);
  return out;
}

}  // namespace

metrics::EvalOptions metric_options(const EvalProtocol& protocol, int threads) {
  metrics::EvalOptions options;
  options.pro_limit = protocol.pro_limit;
  options.extra_pro_limits = protocol.extra_pro_limits;
  options.threads = threads;
  options.rd4ad.policy = protocol.rd4ad_policy;
  options.rd4ad.thresholds = protocol.rd4ad_thresholds;
  options.rd4ad.fpr_limit = protocol.rd4ad_fpr_limit;
  return options;
}

cv::Mat map_in_image_frame(const cv::Mat& map, cv::Size image_size, const MapFrame& frame) {
  if (frame.crop.width <= 0 || frame.crop.height <= 0) return resized_to(map, image_size);
  const cv::Size resized = datasets::resized_size(image_size, frame);
  const cv::Rect crop = datasets::center_crop_rect(resized, frame.crop);
  if (crop == cv::Rect({0, 0}, resized)) return resized_to(map, image_size);
  const cv::Mat at_crop = resized_to(map, crop.size());
  double lowest = 0;
  cv::minMaxLoc(at_crop, &lowest);
  cv::Mat canvas(resized, CV_32FC1, cv::Scalar(lowest));
  const cv::Rect inside = crop & cv::Rect({0, 0}, resized);
  at_crop(inside - crop.tl()).copyTo(canvas(inside));
  return resized_to(canvas, image_size);
}

metrics::ScoredImage score_map(const std::string& id, Label label, float score, const cv::Mat& map, const cv::Mat& mask,
                               cv::Size image_size, const MapFrame& frame, const EvalProtocol& protocol) {
  if (map.empty() || map.type() != CV_32FC1) throw InternalError(id, "anomaly map is not a non-empty CV_32FC1 matrix");
  metrics::ScoredImage scored;
  scored.id = id;
  scored.label = label;
  scored.score = score;
  if (protocol.resolution == MapResolution::native) {
    scored.map = map_in_image_frame(map, image_size, frame);
    scored.mask = mask.empty() ? cv::Mat::zeros(image_size, CV_8UC1) : mask;
    return scored;
  }
  scored.map = map;
  if (mask.empty()) {
    scored.mask = cv::Mat::zeros(map.size(), CV_8UC1);
    return scored;
  }
  scored.mask = datasets::prepare_mask(mask, frame);
  const bool cropped = frame.crop.width > 0 && frame.crop.height > 0;
  // Without a crop the map covers the whole image, whatever its grid (maps given as files).
  if (scored.mask.size() != map.size() && !cropped) scored.mask = datasets::resize_mask(mask, map.size(), frame.mask_rule);
  if (scored.mask.size() != map.size()) {
    throw InternalError(id, fmt::format("map is {}x{} but the method's ground-truth transform gives {}x{}", map.cols, map.rows,
                                        scored.mask.cols, scored.mask.rows));
  }
  return scored;
}

metrics::CategoryMetrics evaluate_scored(std::span<const metrics::ScoredImage> images, const std::vector<char>& pixel_truth,
                                         bool pixel_ground_truth, const metrics::EvalOptions& options) {
  if (pixel_truth.size() != images.size()) {
    throw InternalError("evaluate", fmt::format("{} scored images but {} pixel-truth flags", images.size(), pixel_truth.size()));
  }
  metrics::CategoryMetrics result;
  const bool every_image_has_pixels = std::all_of(pixel_truth.begin(), pixel_truth.end(), [](char c) { return c != 0; });
  if (pixel_ground_truth) {
    if (every_image_has_pixels) return metrics::evaluate_category(images, options);
    // Anomalous images without a mask (user folders) count for the image-level metrics only.
    std::vector<metrics::ScoredImage> pixel_level;
    for (std::size_t i = 0; i < images.size(); ++i) {
      if (pixel_truth[i]) pixel_level.push_back(images[i]);
    }
    result = metrics::evaluate_category(pixel_level, options);
  }
  result.images = images.size();
  result.anomalous_images = static_cast<std::size_t>(
      std::count_if(images.begin(), images.end(), [](const metrics::ScoredImage& s) { return s.label == Label::anomalous; }));
  result.image = metrics::evaluate_image_scores(images, options.curve_step);
  return result;
}

double validation_threshold(const metrics::PixelStatistics& validation) {
  return validation.mean() + 3.0 * validation.standard_deviation();
}

metrics::SegF1Metrics seg_f1(std::span<const metrics::ScoredImage> images, const std::vector<char>& pixel_truth,
                             const metrics::PixelStatistics& validation, std::size_t validation_images) {
  if (validation.pixels() == 0) throw InternalError("SegF1", "no validation pixels");
  std::vector<metrics::ScoredImage> pixel_level;
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (pixel_truth[i]) pixel_level.push_back(images[i]);
  }
  metrics::SegF1Metrics out;
  out.threshold = validation_threshold(validation);
  out.validation_images = validation_images;
  out.value = metrics::pooled_f1_at(pixel_level, out.threshold);
  return out;
}

std::vector<reports::ImageRecord> image_records(const std::vector<datasets::SampleRef>& refs,
                                                std::span<const metrics::ScoredImage> images) {
  if (refs.size() != images.size()) {
    throw InternalError("image records", fmt::format("{} samples but {} scored images", refs.size(), images.size()));
  }
  std::vector<reports::ImageRecord> records;
  records.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (refs[i].id != images[i].id) throw InternalError(images[i].id, "scored out of order with its sample list");
    records.push_back({images[i].id, refs[i].defect_type, images[i].label == Label::anomalous ? 1 : 0,
                       static_cast<double>(images[i].score)});
  }
  return records;
}

void add_metric_records(const metrics::CategoryMetrics& metrics, reports::CellRecord& cell) {
  for (const auto& named : metrics::named_values(metrics)) cell.metrics.push_back({named.name, named.value});
  for (const auto& named : metrics::named_curves(metrics)) {
    if (!named.curve->x.empty()) cell.curves.push_back({named.name, named.curve->x, named.curve->y});
  }
}

nlohmann::json metric_details(const metrics::CategoryMetrics& m) {
  return {{"images", m.images},
          {"anomalous_images", m.anomalous_images},
          {"regions", m.pro.regions},
          {"defect_pixels", m.pixel.positives},
          {"normal_pixels", m.pixel.negatives},
          {"rd4ad_images_used", m.pro_rd4ad.images_used},
          {"rd4ad_images_undefined", m.pro_rd4ad.images_undefined},
          {"rd4ad_undefined", m.pro_rd4ad.undefined_reasons}};
}

}  // namespace kdad::harness
