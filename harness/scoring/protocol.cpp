// The evaluation protocol's canonical form and id.
#include "harness/scoring/protocol.h"

#include "core/error.h"
#include "core/sha256.h"

#include <fmt/format.h>

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

std::string to_string(MapResolution resolution) { return resolution == MapResolution::method ? "method" : "native"; }

MapResolution parse_map_resolution(const std::string& text, const std::string& what) {
  if (text == "native") return MapResolution::native;
  if (text == "method") return MapResolution::method;
  throw ConfigError(what, fmt::format("resolution '{}' is not native or method", text));
}

std::string canonical_json(const EvalProtocol& p) {
  nlohmann::json json = {
      {"metrics_version", kMetricsVersion},
      {"pro_limit", p.pro_limit},
      {"resolution", to_string(p.resolution)},
      {"map_resize", p.map_resize},
      {"mask_rule", p.mask_rule},
      {"image_score", p.image_score},
      {"rd4ad", {{"policy", policy_name(p.rd4ad_policy)}, {"thresholds", p.rd4ad_thresholds},
                 {"fpr_limit", p.rd4ad_fpr_limit}}},
  };
  // Only where it applies, so that the ids of native-resolution protocols stay those of kdad 0.1.
  if (p.resolution == MapResolution::method) json["mask_resize"] = p.mask_resize;
  if (!p.extra_pro_limits.empty()) json["extra_pro_limits"] = p.extra_pro_limits;
  if (p.seg_f1) {
    json["seg_f1"] = {{"threshold", "validation_mean_plus_3_std"}, {"held_out_fraction", p.validation_fraction}};
  }
  return json.dump();  // nlohmann::json objects keep keys sorted
}

EvalProtocol parse_protocol_json(const std::string& text, const std::string& where) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) throw ConfigError(where, "the stored protocol is not JSON");
  const int version = json.value("metrics_version", 0);
  if (version != kMetricsVersion) {
    throw ConfigError(where, fmt::format("scored with metrics version {}; this build computes version {}", version, kMetricsVersion));
  }
  EvalProtocol p;
  try {
    p.pro_limit = json.at("pro_limit").get<double>();
    p.resolution = parse_map_resolution(json.at("resolution").get<std::string>(), where);
    p.map_resize = json.at("map_resize").get<std::string>();
    p.mask_rule = json.at("mask_rule").get<std::string>();
    p.image_score = json.at("image_score").get<std::string>();
    const auto& rd4ad = json.at("rd4ad");
    const std::string policy = rd4ad.at("policy").get<std::string>();
    p.rd4ad_policy = policy == "zero" ? metrics::Rd4adPolicy::zero : policy == "nan" ? metrics::Rd4adPolicy::nan : metrics::Rd4adPolicy::skip;
    p.rd4ad_thresholds = rd4ad.at("thresholds").get<int>();
    p.rd4ad_fpr_limit = rd4ad.at("fpr_limit").get<double>();
    if (p.resolution == MapResolution::method) p.mask_resize = json.at("mask_resize").get<std::string>();
    if (json.contains("extra_pro_limits")) p.extra_pro_limits = json.at("extra_pro_limits").get<std::vector<double>>();
    if (json.contains("seg_f1")) {
      p.seg_f1 = true;
      p.validation_fraction = json.at("seg_f1").at("held_out_fraction").get<double>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(where, fmt::format("the stored protocol lacks a setting: {}", e.what()));
  }
  if (canonical_json(p) != json.dump()) throw ConfigError(where, "the stored protocol has settings this build does not know");
  return p;
}

void check_extra_pro_limits(const std::vector<double>& limits, double pro_limit, const std::string& what) {
  for (std::size_t i = 0; i < limits.size(); ++i) {
    if (!(limits[i] > 0.0 && limits[i] <= 1.0)) throw ConfigError(what, fmt::format("limit {} is outside (0, 1]", limits[i]));
    if (limits[i] == pro_limit) throw ConfigError(what, fmt::format("limit {} is already the AU-PRO limit", limits[i]));
    for (std::size_t j = 0; j < i; ++j) {
      if (limits[j] == limits[i]) throw ConfigError(what, fmt::format("limit {} is listed twice", limits[i]));
    }
  }
}

std::string protocol_id(const EvalProtocol& protocol) {
  return "p-" + sha256_hex(canonical_json(protocol)).substr(0, 12);
}

}  // namespace kdad::harness
