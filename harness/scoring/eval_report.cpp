// What `kdad eval` prints.
#include "harness/scoring/eval_report.h"

#include "core/build_info.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <map>

namespace kdad::harness {
namespace {

bool is_threshold(const std::string& name) { return name.find("threshold") != std::string::npos; }

nlohmann::json value_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string cell(const std::optional<double>& value) { return value ? fmt::format("{:.4f}", *value) : "n/a"; }

struct Column {
  const char* header;
  const char* metric;
};

constexpr Column kColumns[] = {
    {"I-AUROC", "image_auroc"}, {"I-AP", "image_ap"},     {"I-F1max", "image_f1_max"},
    {"P-AUROC", "pixel_auroc"}, {"P-AP", "pixel_ap"},     {"P-F1max", "pixel_f1_max"},
    {"AU-PRO", "au_pro"},       {"PRO-RD4AD", "au_pro_rd4ad"},
};

std::optional<double> find(const std::vector<metrics::NamedValue>& values, const std::string& name) {
  for (const auto& v : values) {
    if (v.name == name) return v.value;
  }
  return std::nullopt;
}

}  // namespace

std::vector<metrics::NamedValue> category_means(const std::vector<CategoryOutcome>& outcomes) {
  std::vector<metrics::NamedValue> means;
  if (outcomes.empty()) return means;
  for (const auto& named : metrics::named_values(outcomes.front().metrics)) {
    if (is_threshold(named.name)) continue;
    double sum = 0;
    bool defined = true;
    for (const auto& outcome : outcomes) {
      const auto value = find(metrics::named_values(outcome.metrics), named.name);
      defined = defined && value.has_value();
      if (value) sum += *value;
    }
    means.push_back({named.name, defined ? std::optional<double>(sum / static_cast<double>(outcomes.size()))
                                         : std::nullopt});
  }
  return means;
}

nlohmann::json eval_json(const EvalProtocol& protocol, const std::vector<CategoryOutcome>& outcomes,
                         const std::optional<StoreSummary>& store) {
  nlohmann::json doc;
  doc["kdad_version"] = build_info().version;
  doc["protocol"] = nlohmann::json::parse(canonical_json(protocol));
  doc["protocol"]["id"] = protocol_id(protocol);
  doc["categories"] = nlohmann::json::array();
  for (const auto& o : outcomes) {
    nlohmann::json metrics_json = nlohmann::json::object();
    for (const auto& named : metrics::named_values(o.metrics)) metrics_json[named.name] = value_json(named.value);
    const auto& m = o.metrics;
    doc["categories"].push_back({
        {"category", o.category},
        {"images", m.images},
        {"anomalous_images", m.anomalous_images},
        {"regions", m.pro.regions},
        {"defect_pixels", m.pixel.positives},
        {"normal_pixels", m.pixel.negatives},
        {"resized_maps", o.resized_maps},
        {"metrics", metrics_json},
        {"au_pro_rd4ad", {{"policy", policy_name(m.pro_rd4ad.policy)}, {"images_used", m.pro_rd4ad.images_used},
                          {"images_undefined", m.pro_rd4ad.images_undefined},
                          {"undefined", m.pro_rd4ad.undefined_reasons}}},
        {"dataset_fingerprint", o.dataset_fingerprint},
        {"maps_fingerprint", o.maps_fingerprint},
        {"seconds", o.seconds},
    });
  }
  nlohmann::json mean = nlohmann::json::object();
  for (const auto& named : category_means(outcomes)) mean[named.name] = value_json(named.value);
  doc["mean"] = mean;
  if (store) {
    doc["store"] = {{"path", store->path}, {"run_uuid", store->run_uuid}, {"cells_inserted", store->inserted},
                    {"cells_replaced", store->replaced}};
  }
  return doc;
}

void print_eval_table(std::ostream& out, const EvalProtocol& protocol, const std::vector<CategoryOutcome>& outcomes,
                      const std::optional<StoreSummary>& store) {
  fmt::print(out, "{:<16} {:>6} {:>5}", "category", "images", "anom");
  for (const auto& column : kColumns) fmt::print(out, " {:>9}", column.header);
  fmt::print(out, "\n");
  for (const auto& o : outcomes) {
    fmt::print(out, "{:<16} {:>6} {:>5}", o.category, o.metrics.images, o.metrics.anomalous_images);
    const auto values = metrics::named_values(o.metrics);
    for (const auto& column : kColumns) fmt::print(out, " {:>9}", cell(find(values, column.metric)));
    fmt::print(out, "\n");
  }
  const auto means = category_means(outcomes);
  fmt::print(out, "{:<16} {:>6} {:>5}", "mean", "", "");
  for (const auto& column : kColumns) fmt::print(out, " {:>9}", cell(find(means, column.metric)));
  fmt::print(out, "\n\n");

  fmt::print(out, "protocol {}: AU-PRO integrated to FPR {} (MVTec AD definition); image score = {}; maps at "
                  "ground-truth resolution.\n",
             protocol_id(protocol), protocol.pro_limit,
             protocol.image_score == "map_max" ? "map maximum" : "scores file");
  fmt::print(out, "PRO-RD4AD is RD4AD's per-image AU-PRO (a different metric, for comparison with papers; "
                  "policy '{}').\n", policy_name(protocol.rd4ad_policy));
  for (const auto& o : outcomes) {
    if (o.metrics.pro_rd4ad.images_undefined > 0) {
      fmt::print(out, "  {}: {} anomalous image(s) the RD4AD code cannot score, e.g. {}\n", o.category,
                 o.metrics.pro_rd4ad.images_undefined, o.metrics.pro_rd4ad.undefined_reasons.front());
    }
    if (o.resized_maps > 0) {
      fmt::print(out, "  {}: {} map(s) resized bilinearly to the ground-truth size\n", o.category, o.resized_maps);
    }
  }
  if (store) {
    fmt::print(out, "stored in {} (run {}): {} cell(s) new, {} replaced (same key).\n", store->path, store->run_uuid,
               store->inserted, store->replaced);
  }
}

}  // namespace kdad::harness
