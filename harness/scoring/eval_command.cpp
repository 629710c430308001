// `kdad eval`.
#include "harness/scoring/eval_command.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/sha256.h"
#include "datasets/fingerprint.h"
#include "datasets/format.h"
#include "datasets/training_subset.h"
#include "core/build_info.h"
#include "harness/scoring/scoring.h"
#include "harness/scoring/gallery.h"
#include "harness/scoring/map_inputs.h"
#include "harness/scoring/protocol.h"
#include "harness/study/provenance.h"
#include "harness/scoring/scores_file.h"
#include "reports/store.h"
#include "reports/terminal_tables.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

namespace kdad::harness {
namespace fs = std::filesystem;
namespace {

reports::CellRecord make_cell(const EvalCommand& command, const datasets::Dataset& dataset, const EvalProtocol& protocol,
                              const datasets::CategorySplit& split, const CategoryInputs& inputs, const metrics::CategoryMetrics& m,
                              const std::string& validation_fingerprint) {
  reports::CellRecord cell;
  cell.kind = "eval";
  cell.dataset_format = datasets::format_name(command.format);
  cell.dataset_root = fs::absolute(dataset.root()).lexically_normal().string();
  cell.dataset_fingerprint = datasets::fingerprint_split(split);
  cell.category = split.category;
  cell.protocol_id = protocol_id(protocol);
  cell.protocol_json = canonical_json(protocol);
  cell.maps_source = fs::absolute(command.maps_root).lexically_normal().string();
  // With SegF1 the validation maps count too.
  cell.maps_fingerprint = validation_fingerprint.empty() ? inputs.maps_fingerprint
                                                         : sha256_hex(inputs.maps_fingerprint + "\n" + validation_fingerprint);
  cell.key = sha256_hex(nlohmann::json({{"kind", cell.kind},
                                        {"protocol", cell.protocol_id},
                                        {"dataset", cell.dataset_fingerprint},
                                        {"category", cell.category},
                                        {"maps", *cell.maps_fingerprint}})
                            .dump());
  nlohmann::json details = metric_details(m);
  details["resized_maps"] = inputs.resized_maps;
  if (m.seg_f1) details["validation_images"] = m.seg_f1->validation_images;
  cell.details_json = details.dump();
  add_metric_records(m, cell);
  cell.images = image_records(split.test, inputs.images);
  return cell;
}

// When every category is evaluated, anything in the maps root besides category folders is a
// mistake (a category missing from the dataset, a misplaced file).
void check_no_extra_categories(const fs::path& maps_root, const std::vector<std::string>& folders,
                               std::vector<fs::path>& skipped) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(maps_root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || datasets::is_os_junk(entry.path())) continue;
    if (!entry.is_directory(ec) && !is_map_extension(entry.path())) {
      skipped.push_back(entry.path());
      continue;
    }
    if (std::find(folders.begin(), folders.end(), name) == folders.end()) {
      throw DataError(entry.path().string(), "extra entry in the maps folder: the dataset has no such category");
    }
  }
}

}  // namespace

int run_eval(const EvalCommand& command, const std::string& command_line, std::ostream& out) {
  const std::unique_ptr<datasets::Dataset> dataset = datasets::open_dataset(command.format, command.dataset_root, command.dataset_options);
  std::error_code ec;
  if (!fs::is_directory(command.maps_root, ec)) throw DataError(command.maps_root.string(), "maps folder not found");
  const std::vector<std::string> categories =
      command.categories.empty() ? dataset->categories() : datasets::resolve_categories(*dataset, command.categories);
  if (categories.empty()) throw DataError(dataset->root().string(), "no categories found");

  // Every input is checked before anything is computed or stored.
  std::map<std::string, float> scores;
  if (command.scores_file) scores = read_scores_file(*command.scores_file);
  std::vector<datasets::CategorySplit> splits;
  std::vector<std::string> folders;
  std::vector<fs::path> skipped;  // files in the maps folder that are not maps
  for (const auto& category : categories) {
    splits.push_back(dataset->split(category));
    // The same held-out images as kdad run's (datasets::hold_out_validation is fixed per dataset).
    if (command.seg_f1) datasets::hold_out_validation(splits.back(), command.validation_fraction);
    for (auto& file : check_map_files(splits.back(), command.maps_root, command.seg_f1)) skipped.push_back(std::move(file));
    if (command.scores_file) check_scores(splits.back(), scores, *command.scores_file);
    for (auto& folder : map_folders(splits.back())) folders.push_back(std::move(folder));
  }
  if (command.categories.empty()) check_no_extra_categories(command.maps_root, folders, skipped);
  if (!skipped.empty()) {
    std::sort(skipped.begin(), skipped.end());
    std::cerr << fmt::format("kdad: note: skipped {} file{} in the maps folder without a .tif/.tiff extension (not maps): {}{}\n",
                             skipped.size(), skipped.size() == 1 ? "" : "s", skipped.front().string(),
                             skipped.size() > 1 ? ", ..." : "");
  }

  EvalProtocol protocol;
  protocol.pro_limit = command.pro_limit;
  protocol.extra_pro_limits = command.extra_pro_limits;
  protocol.image_score = command.scores_file ? "scores_file" : "map_max";
  protocol.rd4ad_policy = command.rd4ad_policy;
  protocol.resolution = command.resolution;
  protocol.mask_resize = datasets::to_string(command.mask_resize);
  protocol.seg_f1 = command.seg_f1;
  protocol.validation_fraction = command.validation_fraction;
  const metrics::EvalOptions options = metric_options(protocol, command.threads);
  MapFrame frame;  // maps given as files cover their whole image, at any size
  frame.size_rule = datasets::PreprocessSpec::SizeRule::keep;
  frame.mask_rule = command.mask_resize;

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
        const CategoryInputs inputs = load_category_inputs(*dataset, split, command.maps_root, command.scores_file ? &scores : nullptr,
                                                           protocol, frame, command.threads);
        std::vector<char> pixel_truth;
        for (const auto& ref : split.test) pixel_truth.push_back(ref.label == Label::normal || !ref.mask.empty());
        metrics::CategoryMetrics m = evaluate_scored(inputs.images, pixel_truth, dataset->has_pixel_ground_truth(), options);
        std::string validation_fingerprint;
        if (command.seg_f1) {
          if (split.validation.empty()) throw DataError(split.category, "SegF1 needs validation images, and there are too few training images to hold some out");
          const ValidationMaps validation = read_validation_maps(split, command.maps_root, protocol, frame);
          m.seg_f1 = seg_f1(inputs.images, pixel_truth, validation.statistics, split.validation.size());
          validation_fingerprint = validation.fingerprint;
        }
        cell = make_cell(command, *dataset, protocol, split, inputs, m, validation_fingerprint);
        if (command.gallery) {
          GallerySpec gallery;
          if (protocol.resolution == MapResolution::method) gallery.map_frame = frame;
          cell.artifacts = write_gallery(*dataset, split.test, inputs.images, *command.gallery / split.category, gallery);
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
