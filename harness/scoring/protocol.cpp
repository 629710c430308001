// The evaluation protocol's canonical form and id.
#include "harness/scoring/protocol.h"

#include "core/sha256.h"

#include <nlohmann/json.hpp>

namespace kdad::harness {

std::string policy_name(metrics::Rd4adPolicy policy) {
  switch (policy) {
    case metrics::Rd4adPolicy::skip: return "skip";
    case metrics::Rd4adPolicy::zero: return "zero";
    case metrics::Rd4adPolicy::nan: return "nan";
  }
  return "skip";
}

std::string canonical_json(const EvalProtocol& p) {
  const nlohmann::json json = {
      {"metrics_version", kMetricsVersion},
      {"pro_limit", p.pro_limit},
      {"resolution", p.resolution},
      {"map_resize", p.map_resize},
      {"mask_rule", p.mask_rule},
      {"image_score", p.image_score},
      {"rd4ad", {{"policy", policy_name(p.rd4ad_policy)}, {"thresholds", p.rd4ad_thresholds},
                 {"fpr_limit", p.rd4ad_fpr_limit}}},
  };
  return json.dump();  // nlohmann::json objects keep keys sorted
}

std::string protocol_id(const EvalProtocol& protocol) {
  return "p-" + sha256_hex(canonical_json(protocol)).substr(0, 12);
}

}  // namespace kdad::harness
