// Words for an evaluation protocol.
#include "reports/protocol_text.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kdad::reports {

std::string resolution_label(const std::string& protocol_json) {
  const auto p = nlohmann::json::parse(protocol_json, nullptr, false);
  if (!p.is_object() || p.value("resolution", "native") != "method") return "native resolution";
  const std::string rule = p.value("mask_resize", "method");
  return fmt::format("method resolution, masks {}", rule == "method" ? "by each method's rule" : "by " + rule);
}

std::string protocol_description(const std::string& protocol_json) {
  const auto p = nlohmann::json::parse(protocol_json, nullptr, false);
  if (!p.is_object()) return "protocol not recorded.";
  const std::string score = p.value("image_score", "map_max") == "map_max" ? "map maximum" : "scores file";
  std::string rd4ad_policy = "skip";
  if (p.contains("rd4ad") && p["rd4ad"].is_object()) rd4ad_policy = p["rd4ad"].value("policy", "skip");
  const std::string where = p.value("resolution", "native") == "method"
                                ? resolution_label(protocol_json) + ": each map at the method's working resolution against "
                                                                     "the mask shrunk to it (comparable with the papers' own code)"
                                : "native resolution: maps placed in the image frame and resized bilinearly to the ground truth";
  std::string also;
  if (p.contains("extra_pro_limits") && p["extra_pro_limits"].is_array()) {
    for (const auto& limit : p["extra_pro_limits"]) also += fmt::format("{}{}", also.empty() ? ", also to " : " and ", limit.dump());
  }
  std::string seg_f1;
  if (p.contains("seg_f1") && p["seg_f1"].is_object()) {
    seg_f1 = fmt::format("; SegF1 at mean + 3σ of defect-free validation pixels (datasets without a validation split hold "
                         "out {} of their training images)",
                         p["seg_f1"].value("held_out_fraction", 0.1));
  }
  return fmt::format("AU-PRO to FPR {}{} (MVTec AD definition); {}; image score = {}{}; PRO-RD4AD policy {}; metrics version {}.",
                     p.value("pro_limit", 0.3), also, where, score, seg_f1, rd4ad_policy, p.value("metrics_version", 0));
}

}  // namespace kdad::reports
