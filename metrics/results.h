// Result types of the evaluation metrics; an undefined metric is an empty optional, never 0.5 or NaN.
#pragma once

#include "metrics/curve.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdad::metrics {

/// Threshold-free metrics of one ranking (images or pooled pixels).
struct BinaryMetrics {
  std::uint64_t positives = 0;  ///< anomalous images / defect pixels
  std::uint64_t negatives = 0;  ///< normal images / defect-free pixels
  std::optional<double> auroc;  ///< in [0,1]; undefined unless both classes occur
  std::optional<double> ap;     ///< average precision (step sum, sklearn's definition); needs positives
  std::optional<double> f1_max; ///< max over thresholds of 2TP/(2TP+FP+FN); needs positives
  /// Score threshold t (positive ⇔ score ≥ t) that attains f1_max; the highest one on ties.
  /// Chosen on the test data, hence an oracle value.
  std::optional<double> f1_threshold;
  Curve roc;  ///< (FPR, TPR) from (0,0), downsampled
  Curve pr;   ///< (recall, precision), downsampled
};

/// AU-PRO of the same curve up to a further FPR limit (MVTec AD 2 reports 0.05 beside 0.3).
struct LimitedAuPro {
  double limit = 0.05;           ///< in (0, 1]
  std::optional<double> au_pro;  ///< area up to `limit` divided by `limit`, in [0,1]
};

/// The MVTec AD AU-PRO: one dataset-level PRO curve integrated up to an FPR limit.
struct ProMetrics {
  double limit = 0.3;            ///< FPR integration limit in (0, 1]
  std::uint64_t regions = 0;     ///< 8-connected ground-truth regions over all images
  std::optional<double> au_pro;  ///< area up to `limit` divided by `limit`, in [0,1]
  std::vector<LimitedAuPro> also;  ///< the same area up to each further limit asked for, in that order
  Curve curve;                   ///< (FPR, PRO) from (0,0) to (1,1), downsampled
};

/// What the RD4AD per-image AU-PRO does with an image its original code cannot handle
/// (constant map, empty mask, perfectly separating map, fewer than two points below the limit).
enum class Rd4adPolicy {
  skip,  ///< leave the image out of the mean (default)
  zero,  ///< count the image as 0
  nan,   ///< make the whole metric undefined
};

/// RD4AD's per-image AU-PRO (200 linear thresholds per image, FPR < 0.3 rescaled by its maximum,
/// mean over anomalous images). A different metric from AU-PRO, reported under its own name.
struct Rd4adProMetrics {
  Rd4adPolicy policy = Rd4adPolicy::skip;
  std::optional<double> value;
  std::size_t images_used = 0;       ///< anomalous images with a defined value
  std::size_t images_undefined = 0;  ///< anomalous images the original code cannot score
  std::vector<std::string> undefined_reasons;  ///< "<image id>: <reason>", one per undefined image
};

/// MVTec AD 2's SegF1: the pooled pixel F1 of the test maps binarised at a threshold set without
/// test data, mean + 3σ of every pixel of the defect-free validation maps.
struct SegF1Metrics {
  double threshold = 0.0;
  std::size_t validation_images = 0;
  std::optional<double> value;  ///< undefined without defect pixels
};

/// Every metric of one category.
struct CategoryMetrics {
  std::size_t images = 0;
  std::size_t anomalous_images = 0;
  BinaryMetrics image;
  BinaryMetrics pixel;
  ProMetrics pro;
  Rd4adProMetrics pro_rd4ad;
  std::optional<SegF1Metrics> seg_f1;  ///< when the protocol asks for it
};

/// A metric value under its stable name (the names used in JSON and in the results store).
struct NamedValue {
  std::string name;
  std::optional<double> value;
};

/// "au_pro_<limit>" (shortest form, e.g. "au_pro_0.05"): the name of AU-PRO up to a further limit.
std::string au_pro_name(double limit);

/// The scalar metrics of a category under their stable names:
/// image_auroc, image_ap, image_f1_max, image_f1_threshold_oracle, pixel_auroc, pixel_ap,
/// pixel_f1_max, pixel_f1_threshold_oracle, au_pro, au_pro_<limit> for each further limit,
/// au_pro_rd4ad, and seg_f1 and seg_f1_threshold when computed.
std::vector<NamedValue> named_values(const CategoryMetrics& metrics);

/// A curve under its stable name: image_roc, image_pr, pixel_roc, pixel_pr, pro.
struct NamedCurve {
  std::string name;
  const Curve* curve;
};
std::vector<NamedCurve> named_curves(const CategoryMetrics& metrics);

}  // namespace kdad::metrics
