// The evaluation protocol: every setting that changes a metric value, with a stable id.
#pragma once

#include "metrics/results.h"

#include <string>

namespace kdad::harness {

/// How anomaly maps become numbers. Results of different protocols are never ranked together.
struct EvalProtocol {
  double pro_limit = 0.3;                 ///< AU-PRO FPR limit
  std::string resolution = "native";      ///< maps are resized to the ground truth's resolution
  std::string map_resize = "bilinear";    ///< half-pixel-centre bilinear (OpenCV INTER_LINEAR)
  std::string mask_rule = "nonzero";      ///< mask pixel ≠ 0 ⇒ defect
  std::string image_score = "map_max";    ///< "map_max" or "scores_file"
  metrics::Rd4adPolicy rd4ad_policy = metrics::Rd4adPolicy::skip;
  int rd4ad_thresholds = 200;
  double rd4ad_fpr_limit = 0.3;
};

/// Version of the metric implementations; bumped when a metric's computed value changes.
inline constexpr int kMetricsVersion = 1;

/// Canonical JSON of the protocol (sorted keys, includes kMetricsVersion).
std::string canonical_json(const EvalProtocol& protocol);
/// "p-" + the first 12 hex digits of the SHA-256 of canonical_json.
std::string protocol_id(const EvalProtocol& protocol);
std::string policy_name(metrics::Rd4adPolicy policy);

}  // namespace kdad::harness
