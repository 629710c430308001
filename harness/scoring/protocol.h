// The evaluation protocol: every setting that changes a metric value, with a stable id.
#pragma once

#include "metrics/results.h"

#include <string>
#include <vector>

namespace kdad::harness {

/// Where maps and ground truth meet. `native`: the map, placed back in the image frame, against
/// the mask as published (the MVTec AD protocol). `method`: the map at the method's working
/// resolution against the mask shrunk by the method's own rule, as the official RD4AD and MRKD
/// evaluations do; comparable with their papers, not with `native` results.
enum class MapResolution { native, method };

/// "native" or "method".
std::string to_string(MapResolution resolution);
/// Parses "native" or "method"; throws ConfigError naming `what` otherwise.
MapResolution parse_map_resolution(const std::string& text, const std::string& what);

/// How anomaly maps become numbers. Results of different protocols are never ranked together.
struct EvalProtocol {
  double pro_limit = 0.3;                 ///< AU-PRO FPR limit
  /// AU-PRO also up to these limits, each stored as au_pro_<limit> (MVTec AD 2: 0.05). Distinct,
  /// each in (0, 1] and other than pro_limit.
  std::vector<double> extra_pro_limits;
  /// SegF1 (MVTec AD 2): test maps binarised at mean + 3σ of the pixels of defect-free validation
  /// images. Datasets without a validation split hold out `validation_fraction` of their training
  /// normals for it (hash-chosen, never trained on).
  bool seg_f1 = false;
  double validation_fraction = 0.1;  ///< in (0, 0.5]
  MapResolution resolution = MapResolution::native;
  /// With resolution `method`: the mask rule, "method" (each method's own, recorded per cell) or,
  /// for maps given as files, "nearest" or "bilinear_threshold".
  std::string mask_resize = "method";
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

/// Throws ConfigError naming `what` unless every further AU-PRO limit is in (0, 1], distinct, and
/// not `pro_limit`.
void check_extra_pro_limits(const std::vector<double>& limits, double pro_limit, const std::string& what);

/// The protocol a stored cell was scored by, from its canonical JSON. Throws ConfigError naming
/// `where` when the JSON is not a protocol of this build's metrics version (its id would differ).
EvalProtocol parse_protocol_json(const std::string& json, const std::string& where);

}  // namespace kdad::harness
