// Evaluates one category: input checks, image-level sweep, and the pixel-level passes.
#include "metrics/evaluation.h"

#include "core/error.h"
#include "metrics/pixel_sweep.h"
#include "metrics/ranking_sweep.h"
#include "metrics/score_key.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace kdad::metrics {

void validate_images(std::span<const ScoredImage> images) {
  if (images.empty()) throw MetricError("evaluation", "no test images to evaluate");
  for (const auto& image : images) {
    if (image.map.empty()) throw MetricError(image.id, "anomaly map is empty");
    if (image.map.type() != CV_32FC1) {
      throw MetricError(image.id, "anomaly map must be single-channel float32 (CV_32FC1)");
    }
    if (!std::isfinite(image.score)) {
      throw MetricError(image.id, fmt::format("image score is {}; scores must be finite", image.score));
    }
    if (image.mask.empty()) continue;
    if (image.mask.type() != CV_8UC1) throw MetricError(image.id, "mask must be 8-bit single-channel");
    if (image.mask.size() != image.map.size()) {
      throw MetricError(image.id, fmt::format("anomaly map is {}x{} but the mask is {}x{}",
                                              image.map.cols, image.map.rows, image.mask.cols,
                                              image.mask.rows));
    }
    if (image.label == Label::normal && cv::countNonZero(image.mask) > 0) {
      throw MetricError(image.id, "labelled normal but its mask has defect pixels");
    }
  }
}

BinaryMetrics evaluate_image_scores(std::span<const ScoredImage> images, double curve_step) {
  std::vector<std::pair<std::uint32_t, bool>> keyed;  // (descending key, anomalous)
  keyed.reserve(images.size());
  std::uint64_t positives = 0;
  for (const auto& image : images) {
    const bool anomalous = image.label == Label::anomalous;
    positives += anomalous ? 1 : 0;
    keyed.emplace_back(descending_key(image.score), anomalous);
  }
  std::sort(keyed.begin(), keyed.end());
  RankingSweep sweep(images.size() - positives, positives, curve_step);
  for (std::size_t i = 0; i < keyed.size();) {
    const std::uint32_t key = keyed[i].first;
    std::uint64_t group_positives = 0;
    std::uint64_t group_negatives = 0;
    for (; i < keyed.size() && keyed[i].first == key; ++i) {
      (keyed[i].second ? group_positives : group_negatives) += 1;
    }
    sweep.add(score_from_descending_key(key), group_negatives, group_positives);
  }
  return sweep.finish();
}

CategoryMetrics evaluate_category(std::span<const ScoredImage> images, const EvalOptions& options) {
  for (const double limit : options.extra_pro_limits) {
    if (!(limit > 0.0 && limit <= 1.0)) throw MetricError("AU-PRO limit", fmt::format("{} is outside (0, 1]", limit));
  }
  if (!(options.pro_limit > 0.0 && options.pro_limit <= 1.0)) {
    throw MetricError("AU-PRO limit", fmt::format("{} is outside (0, 1]", options.pro_limit));
  }
  validate_images(images);

  CategoryMetrics result;
  result.images = images.size();
  for (const auto& image : images) result.anomalous_images += image.label == Label::anomalous ? 1 : 0;
  result.image = evaluate_image_scores(images, options.curve_step);

  PixelMetrics pixels =
      sweep_pixels(images, {options.pro_limit, options.threads, options.curve_step, options.extra_pro_limits});
  result.pixel = std::move(pixels.ranking);
  result.pro = std::move(pixels.pro);

  Rd4adProOptions rd4ad = options.rd4ad;
  rd4ad.threads = options.threads;
  result.pro_rd4ad = rd4ad_per_image_au_pro(images, rd4ad);
  return result;
}

}  // namespace kdad::metrics
