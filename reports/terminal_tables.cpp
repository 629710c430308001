// Terminal tables and the JSON of `kdad eval`, from cell records.
#include "reports/terminal_tables.h"
#include "reports/protocol_text.h"

#include "reports/summary.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace kdad::reports {
namespace {

constexpr const char* kStudyMetrics[] = {"image_auroc", "pixel_auroc", "au_pro", "pixel_ap", "au_pro_rd4ad"};

// The study table's columns: the usual five, plus AU-PRO up to further limits and SegF1 when the
// protocol computed them (MVTec AD 2).
std::vector<std::string> study_columns(const Summary& summary) {
  std::vector<std::string> columns(std::begin(kStudyMetrics), std::end(kStudyMetrics));
  for (const auto& m : summary.metrics) {
    if (is_further_au_pro(m) || m == "seg_f1") columns.push_back(m);
  }
  return columns;
}

std::string value(const std::optional<double>& v) { return v ? fmt::format("{:.4f}", *v) : "n/a"; }

nlohmann::json value_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json details(const CellRecord& cell) {
  auto parsed = nlohmann::json::parse(cell.details_json, nullptr, false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

template <class T>
T detail(const CellRecord& cell, const char* name, T fallback) {
  const auto d = details(cell);
  return d.contains(name) && !d[name].is_null() ? d[name].get<T>() : fallback;
}

// Views over records as StoredCells, for the summary (which reads stored cells).
std::vector<StoredCell> as_stored(const std::vector<CellRecord>& records) {
  std::vector<StoredCell> cells;
  for (std::size_t i = 0; i < records.size(); ++i) cells.push_back({static_cast<std::int64_t>(i + 1), 0, records[i]});
  return cells;
}

bool is_threshold(const std::string& name) { return name.find("threshold") != std::string::npos; }

}  // namespace

std::string random_weights_note(const std::vector<const CellRecord*>& cells) {
  std::size_t random = 0;
  for (const CellRecord* c : cells) random += c->weights == "none" ? 1 : 0;
  if (random == 0) return "";
  return fmt::format(
      "{} of {} cell(s) ran with randomly initialised teachers (pretrained = none, no ImageNet weights): their "
      "numbers exercise the pipeline and say nothing about the methods' quality. For real results put torchvision's "
      ".pth files in a folder and set the method option weights_dir (or $TORCH_HOME/hub/checkpoints) with "
      "pretrained = \"imagenet\".",
      random, cells.size());
}

void print_study_table(std::ostream& out, const std::vector<StoredCell>& cells, const std::vector<std::string>& not_run) {
  // Every row names its dataset as the summary does (e.g. "mvtec_ad [300 train]" for a capped one).
  const Summary summary = summarize(cells);
  std::map<std::int64_t, std::string> dataset_of;  // stored cell id → its group's dataset name
  std::size_t width = 10;
  for (const auto& group : summary.groups) {
    width = std::max(width, group.dataset.size());
    for (const auto& category : group.categories) {
      for (const auto* list : {&category.cells, &category.failed}) {
        for (const StoredCell* cell : *list) dataset_of[cell->id] = group.dataset;
      }
    }
  }
  fmt::print(out, "\n{:<20} {:<{}} {:<14} {:>4}", "method", "dataset", width, "category", "seed");
  const std::vector<std::string> columns = study_columns(summary);
  std::vector<std::size_t> widths;
  for (const auto& m : columns) widths.push_back(std::max<std::size_t>(9, metric_header(m).size()));
  for (std::size_t k = 0; k < columns.size(); ++k) fmt::print(out, " {:>{}}", metric_header(columns[k]), widths[k]);
  fmt::print(out, " {:>8} {:>7}\n", "fit", "img/s");
  std::vector<const CellRecord*> records;
  for (const auto& stored : cells) {
    const CellRecord& c = stored.record;
    records.push_back(&c);
    const auto dataset = dataset_of.find(stored.id);
    fmt::print(out, "{:<20} {:<{}} {:<14} {:>4}", method_display_name(c), dataset != dataset_of.end() ? dataset->second : c.dataset_format,
               width, c.category, c.seed ? std::to_string(*c.seed) : "");
    if (c.status != "ok") {
      fmt::print(out, "  failed: {}\n", c.message.value_or(""));
      continue;
    }
    for (std::size_t k = 0; k < columns.size(); ++k) fmt::print(out, " {:>{}}", value(metric_value(c, columns[k])), widths[k]);
    const TimingRecord* fit = find_timing(c, "fit");
    const TimingRecord* predict = find_timing(c, "predict_per_image");
    const double images_per_second =
        predict && predict->total_s > 0 ? static_cast<double>(predict->count) / predict->total_s : 0.0;
    // A cell that evaluated a given checkpoint trained nothing: no fit time.
    fmt::print(out, " {:>8} {:>7.1f}\n", fit ? fmt::format("{:.1f}s", fit->total_s) : std::string("-"), images_per_second);
  }
  for (const auto& name : not_run) fmt::print(out, "{:<52}  not run\n", name);

  std::vector<std::string> notes;
  for (const auto& group : summary.groups) {
    fmt::print(out, "{:<20} {:<{}} {:<14} {:>4}", group.method, group.dataset, width, "mean", "");
    std::map<std::vector<std::string>, std::vector<std::string>> missing;  // categories → metric headers
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const std::string& m = columns[k];
      const auto* stat = mean_stat(group, m);
      fmt::print(out, " {:>{}}", stat ? fmt::format("{:.4f}", stat->mean) : "n/a", widths[k]);
      const auto undefined = group.undefined_in.find(m);
      if (!stat && undefined != group.undefined_in.end()) missing[undefined->second].push_back(metric_header(m));
    }
    fmt::print(out, "\n");
    const bool any_failed = std::any_of(group.categories.begin(), group.categories.end(),
                                        [](const CategorySummary& c) { return !c.failed.empty(); });
    for (const auto& [categories, headers] : missing) {
      // Undefined in every category and nothing failed: the data has no such ground truth (pixel
      // metrics of an image-level dataset); the n/a says enough.
      if (!any_failed && categories.size() == group.categories.size()) continue;
      notes.push_back(fmt::format("{} on {}: no mean for {}: undefined or failed in {}", group.method, group.dataset,
                                  fmt::join(headers, ", "), fmt::join(categories, ", ")));
    }
  }
  fmt::print(out, "Means are over categories and defined only when every category has the value.\n");
  for (const auto& note : notes) fmt::print(out, "  {}\n", note);
  if (const std::string note = random_weights_note(records); !note.empty()) fmt::print(out, "NOTE: {}\n", note);
}

nlohmann::json eval_json(const std::vector<CellRecord>& cells, const std::optional<StoreSummary>& store) {
  nlohmann::json doc;
  if (!cells.empty()) {
    doc["protocol"] = nlohmann::json::parse(cells.front().protocol_json);
    doc["protocol"]["id"] = cells.front().protocol_id;
  }
  doc["categories"] = nlohmann::json::array();
  for (const auto& c : cells) {
    nlohmann::json metrics_json = nlohmann::json::object();
    for (const auto& m : c.metrics) metrics_json[m.name] = value_json(m.value);
    nlohmann::json entry = details(c);
    entry["category"] = c.category;
    entry["dataset_format"] = c.dataset_format;
    entry["metrics"] = metrics_json;
    entry["dataset_fingerprint"] = c.dataset_fingerprint;
    entry["maps_fingerprint"] = c.maps_fingerprint.value_or("");
    const TimingRecord* evaluate = find_timing(c, "evaluate");
    entry["seconds"] = evaluate ? evaluate->total_s : 0.0;
    doc["categories"].push_back(entry);
  }
  const std::vector<StoredCell> stored = as_stored(cells);
  const Summary summary = summarize(stored);
  nlohmann::json mean = nlohmann::json::object();
  if (summary.groups.size() == 1) {
    for (const auto& m : cells.empty() ? std::vector<MetricRecord>{} : cells.front().metrics) {
      if (is_threshold(m.name)) continue;
      const auto* stat = mean_stat(summary.groups.front(), m.name);
      mean[m.name] = stat ? nlohmann::json(stat->mean) : nlohmann::json(nullptr);
    }
  }
  doc["mean"] = mean;
  if (store) {
    doc["store"] = {{"path", store->path}, {"run_uuid", store->run_uuid}, {"cells_inserted", store->inserted},
                    {"cells_replaced", store->replaced}};
  }
  return doc;
}

void print_eval_table(std::ostream& out, const std::vector<CellRecord>& cells, const std::optional<StoreSummary>& store) {
  const std::vector<StoredCell> stored = as_stored(cells);
  const Summary summary = summarize(stored);
  const std::vector<std::string>& metrics = summary.metrics;  // known order, further AU-PRO limits after AU-PRO
  fmt::print(out, "{:<16} {:>6} {:>5}", "category", "images", "anom");
  for (const auto& m : metrics) fmt::print(out, " {:>9}", metric_header(m));
  fmt::print(out, "\n");
  for (const auto& c : cells) {
    fmt::print(out, "{:<16} {:>6} {:>5}", c.category, detail<std::size_t>(c, "images", 0),
               detail<std::size_t>(c, "anomalous_images", 0));
    for (const auto& m : metrics) fmt::print(out, " {:>9}", value(metric_value(c, m)));
    fmt::print(out, "\n");
  }
  fmt::print(out, "{:<16} {:>6} {:>5}", "mean", "", "");
  for (const auto& m : metrics) {
    const auto* stat = summary.groups.size() == 1 ? mean_stat(summary.groups.front(), m) : nullptr;
    fmt::print(out, " {:>9}", stat ? fmt::format("{:.4f}", stat->mean) : "n/a");
  }
  fmt::print(out, "\n\n");
  if (!cells.empty()) {
    const auto protocol = nlohmann::json::parse(cells.front().protocol_json);
    fmt::print(out, "protocol {}: {}\n", cells.front().protocol_id, protocol_description(cells.front().protocol_json));
    fmt::print(out, "PRO-RD4AD is RD4AD's per-image AU-PRO (a different metric, for comparison with papers; "
                    "policy '{}').\n", protocol["rd4ad"].value("policy", "skip"));
  }
  fmt::print(out, "Means are over categories and defined only when every category has the value.\n");
  for (const auto& c : cells) {
    const auto d = details(c);
    const auto undefined = detail<std::size_t>(c, "rd4ad_images_undefined", 0);
    if (undefined > 0 && d.contains("rd4ad_undefined") && !d["rd4ad_undefined"].empty()) {
      fmt::print(out, "  {}: {} anomalous image(s) the RD4AD code cannot score, e.g. {}\n", c.category, undefined,
                 d["rd4ad_undefined"][0].get<std::string>());
    }
    if (const auto resized = detail<std::size_t>(c, "resized_maps", 0); resized > 0) {
      fmt::print(out, "  {}: {} map(s) resized bilinearly to the ground-truth size\n", c.category, resized);
    }
  }
  if (store) {
    fmt::print(out, "stored in {} (run {}): {} cell(s) new, {} replaced (same key).\n", store->path, store->run_uuid,
               store->inserted, store->replaced);
  }
}

}  // namespace kdad::reports
