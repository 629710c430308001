// `kdad eval`.
#include "harness/scoring/eval_command.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/sha256.h"
#include "datasets/fingerprint.h"
#include "datasets/mvtec_ad.h"
#include "core/build_info.h"
#include "harness/scoring/cell_records.h"
#include "harness/scoring/gallery.h"
#include "harness/scoring/map_inputs.h"
#include "harness/scoring/protocol.h"
#include "harness/study/provenance.h"
#include "harness/scoring/scores_file.h"
#include "metrics/evaluation.h"
#include "reports/store.h"
#include "reports/terminal_tables.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

namespace kdad::harness {
namespace fs = std::filesystem;
namespace {

reports::CellRecord make_cell(const EvalCommand& command, const EvalProtocol& protocol, const datasets::CategorySplit& split,
                              const CategoryInputs& inputs, const metrics::CategoryMetrics& m) {
  reports::CellRecord cell;
  cell.kind = "eval";
  cell.dataset_format = "mvtec_ad";
  cell.dataset_root = fs::absolute(command.dataset_root).lexically_normal().string();
  cell.dataset_fingerprint = datasets::fingerprint_split(split);
  cell.category = split.category;
  cell.protocol_id = protocol_id(protocol);
  cell.protocol_json = canonical_json(protocol);
  cell.maps_source = fs::absolute(command.maps_root).lexically_normal().string();
  cell.maps_fingerprint = inputs.maps_fingerprint;
  cell.key = sha256_hex(nlohmann::json({{"kind", cell.kind},
                                        {"protocol", cell.protocol_id},
                                        {"dataset", cell.dataset_fingerprint},
                                        {"category", cell.category},
                                        {"maps", inputs.maps_fingerprint}})
                            .dump());
  cell.details_json = nlohmann::json({{"images", m.images},
                                      {"anomalous_images", m.anomalous_images},
                                      {"regions", m.pro.regions},
                                      {"defect_pixels", m.pixel.positives},
                                      {"normal_pixels", m.pixel.negatives},
                                      {"resized_maps", inputs.resized_maps},
                                      {"rd4ad_images_used", m.pro_rd4ad.images_used},
                                      {"rd4ad_images_undefined", m.pro_rd4ad.images_undefined},
                                      {"rd4ad_undefined", m.pro_rd4ad.undefined_reasons}})
                          .dump();
  add_metric_records(m, cell);
  cell.images = image_records(split.test, inputs.images);
  return cell;
}

// When every category is evaluated, anything in the maps root besides category folders is a
// mistake (a category missing from the dataset, a misplaced file).
void check_no_extra_categories(const fs::path& maps_root, const std::vector<std::string>& categories) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(maps_root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (std::find(categories.begin(), categories.end(), name) == categories.end()) {
      throw DataError(entry.path().string(), "extra entry in the maps folder: the dataset has no such category");
    }
  }
}

}  // namespace

int run_eval(const EvalCommand& command, const std::string& command_line, std::ostream& out) {
  const datasets::MvtecAd dataset(command.dataset_root);
  std::error_code ec;
  if (!fs::is_directory(command.maps_root, ec)) throw DataError(command.maps_root.string(), "maps folder not found");
  const std::vector<std::string> categories = command.categories.empty() ? dataset.categories() : command.categories;
  if (categories.empty()) {
    throw DataError(command.dataset_root.string(), "no categories found (expected <root>/<category>/train and test)");
  }

  // Every input is checked before anything is computed or stored.
  if (command.categories.empty()) check_no_extra_categories(command.maps_root, categories);
  std::map<std::string, float> scores;
  if (command.scores_file) scores = read_scores_file(*command.scores_file);
  std::vector<datasets::CategorySplit> splits;
  for (const auto& category : categories) {
    splits.push_back(dataset.split(category));
    check_map_files(splits.back(), command.maps_root);
    if (command.scores_file) check_scores(splits.back(), scores, *command.scores_file);
  }

  EvalProtocol protocol;
  protocol.pro_limit = command.pro_limit;
  protocol.image_score = command.scores_file ? "scores_file" : "map_max";
  protocol.rd4ad_policy = command.rd4ad_policy;
  metrics::EvalOptions options;
  options.pro_limit = protocol.pro_limit;
  options.threads = command.threads;
  options.rd4ad.policy = protocol.rd4ad_policy;
  options.rd4ad.thresholds = protocol.rd4ad_thresholds;
  options.rd4ad.fpr_limit = protocol.rd4ad_fpr_limit;

  std::unique_ptr<reports::ResultsStore> store;
  std::optional<reports::StoreSummary> summary;
  std::int64_t run_id = 0;
  if (command.store) {
    if (command.store->has_parent_path()) fs::create_directories(command.store->parent_path(), ec);
    store = std::make_unique<reports::ResultsStore>(*command.store);
    const reports::RunRecord run = make_run_record("eval", command_line);
    run_id = store->begin_run(run);
    summary = reports::StoreSummary{command.store->string(), run.uuid, 0, 0};
  }

  std::vector<reports::CellRecord> cells;
  try {
    for (const auto& split : splits) {
      const std::string started_at = utc_now_iso8601();
      const auto start = std::chrono::steady_clock::now();
      reports::CellRecord cell;
      {
        const CategoryInputs inputs = load_category_inputs(split, command.maps_root,
                                                           command.scores_file ? &scores : nullptr, command.threads);
        cell = make_cell(command, protocol, split, inputs, metrics::evaluate_category(inputs.images, options));
        if (command.gallery) {
          cell.artifacts = write_gallery(dataset, split.test, inputs.images, *command.gallery / split.category, GallerySpec{});
        }
      }  // the category's maps are released before the next one is loaded
      cell.started_at = started_at;
      cell.ended_at = utc_now_iso8601();
      cell.timings.push_back(
          {"evaluate", 1, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), std::nullopt,
           std::nullopt});
      if (store) {
        const auto result = store->write_cell(run_id, cell);
        (result == reports::WriteOutcome::inserted ? summary->inserted : summary->replaced) += 1;
      }
      cell.images.clear();  // the tables need only the metrics
      cells.push_back(std::move(cell));
    }
  } catch (...) {
    if (store) store->end_run(run_id, "failed", utc_now_iso8601());
    throw;
  }
  if (store) store->end_run(run_id, "ok", utc_now_iso8601());

  if (command.json) {
    nlohmann::json doc = reports::eval_json(cells, summary);
    doc["kdad_version"] = build_info().version;
    out << doc.dump(2) << "\n";
  } else {
    reports::print_eval_table(out, cells, summary);
  }
  return 0;
}

}  // namespace kdad::harness
