// `kdad reproduce`.
#include "harness/study/reproduce.h"

#include "core/build_info.h"
#include "core/error.h"
#include "core/parallel.h"
#include "datasets/fingerprint.h"
#include "datasets/format.h"
#include "harness/scoring/protocol.h"
#include "harness/study/cell_runner.h"
#include "harness/study/grid.h"
#include "harness/study/manifest.h"
#include "harness/study/progress.h"
#include "reports/store.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cmath>
#include <map>

namespace kdad::harness {
namespace fs = std::filesystem;
namespace {

const reports::StoredCell& find_stored(const std::vector<reports::StoredCell>& cells, const std::string& wanted, const fs::path& db) {
  const bool is_id = !wanted.empty() && std::all_of(wanted.begin(), wanted.end(), [](unsigned char c) { return std::isdigit(c); });
  std::string prefix = wanted;
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<const reports::StoredCell*> found;
  for (const auto& cell : cells) {
    if (is_id ? std::to_string(cell.id) == wanted : cell.record.key.rfind(prefix, 0) == 0) found.push_back(&cell);
  }
  if (found.empty() && is_id) {  // a key prefix made only of digits
    for (const auto& cell : cells) {
      if (cell.record.key.rfind(prefix, 0) == 0) found.push_back(&cell);
    }
  }
  if (found.empty()) {
    throw UsageError(wanted, fmt::format("no such cell in {} (give a cell id or the start of its key)", db.string()));
  }
  if (found.size() > 1) throw UsageError(wanted, fmt::format("matches {} cells in {}; give more of the key", found.size(), db.string()));
  return *found.front();
}

// "name=value;name=value" (MethodOptions::canonical) back into overrides.
std::map<std::string, std::string> parse_canonical_options(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = std::min(text.find(';', begin), text.size());
    const std::string pair = text.substr(begin, end - begin);
    const std::size_t equals = pair.find('=');
    if (equals != std::string::npos) out[pair.substr(0, equals)] = pair.substr(equals + 1);
    begin = end + 1;
  }
  return out;
}

// Refuses (or, forced, notes) a difference between the record and what this run would use.
void check_same(bool same, bool force, const std::string& subject, const std::string& problem, std::ostream& out) {
  if (same) return;
  if (!force) throw ConfigError(subject, problem + " (pass --force to re-run anyway)");
  fmt::print(out, "note: {}: {}; re-running anyway (--force)\n", subject, problem);
}

std::string shown(const std::optional<double>& value) { return value ? fmt::format("{:.10g}", *value) : "undefined"; }

}  // namespace

int run_reproduce(const ReproduceCommand& command, const methods::MethodRegistry& registry, std::ostream& out) {
  std::error_code ec;
  if (!fs::is_regular_file(command.database, ec)) throw DataError(command.database.string(), "results database not found");
  auto store = reports::ResultsStore::open_for_reading(command.database);
  const std::vector<reports::StoredCell> cells = store.cells();
  const reports::StoredCell& stored = find_stored(cells, command.cell, command.database);
  const reports::CellRecord& old = stored.record;
  const std::string name = fmt::format("cell {} ({} {} {} seed {})", old.key.substr(0, 12), reports::method_display_name(old),
                                       old.dataset_format, old.category, old.seed.value_or(0));
  if (old.kind != "train_eval" && old.kind != "checkpoint_eval") {
    throw UsageError(command.cell, "is a `kdad eval` cell (maps given as files): run kdad eval on the same maps again");
  }
  if (old.status != "ok") throw UsageError(command.cell, fmt::format("{} failed when it ran ({}): there are no values to reproduce",
                                                                     name, old.message.value_or("no message")));

  // The code: the same version and commit, or --force.
  const BuildInfo build = build_info();
  for (const auto& run : store.runs()) {
    if (run.id != stored.run_id) continue;
    const auto& r = run.record;
    check_same(r.kdad_version == build.version && r.git_sha == build.git_sha && r.git_dirty == build.git_dirty, command.force,
               command.database.string(),
               fmt::format("{} was computed by kdad {} ({}{}); this is kdad {} ({}{}), whose values may differ", name, r.kdad_version,
                           r.git_sha.substr(0, 12), r.git_dirty ? "-dirty" : "", build.version, build.git_sha.substr(0, 12),
                           build.git_dirty ? "-dirty" : ""),
               out);
  }

  // The study of this one cell, rebuilt from its record.
  Manifest manifest;
  manifest.file = command.database;
  manifest.name = "reproduce " + old.key.substr(0, 12);
  manifest.device = old.device.value_or("cpu");
  manifest.protocol = parse_protocol_json(old.protocol_json, name + " protocol");
  manifest.gallery = false;
  manifest.save_checkpoints = false;
  const auto environment = nlohmann::json::parse(old.environment_json.value_or("{}"), nullptr, false);
  manifest.predict_batch = environment.is_object() ? environment.value("predict_batch", 1) : 1;
  const int threads = command.threads > 0 ? command.threads
                                          : std::max(1, environment.is_object() ? environment.value("threads", hardware_threads()) : 1);
  manifest.threads = threads;
  const bool temporary = !command.artifacts;
  manifest.artifacts = command.artifacts.value_or(fs::temp_directory_path() / ("kdad-reproduce-" + old.key.substr(0, 16)));

  ManifestMethod method;
  method.id = old.method_id.value_or("");
  method.options = registry.resolve(method.id, "default", parse_canonical_options(old.method_options.value_or("")));
  if (method.options.canonical() != old.method_options.value_or("")) {
    throw ConfigError(name, "its options are not those this build would run: " + old.method_options.value_or(""));
  }
  method.label = old.method_label.value_or(method.id);
  manifest.methods.push_back(method);

  const auto details = nlohmann::json::parse(old.details_json, nullptr, false);
  ManifestDataset dataset;
  dataset.format = datasets::parse_dataset_format(old.dataset_format);
  dataset.root = old.dataset_root;
  dataset.categories = {old.category};
  dataset.options.threads = threads;
  dataset.max_train_images = details.is_object() ? details.value("max_train_images", std::size_t{0}) : 0;
  manifest.datasets.push_back(dataset);

  const std::unique_ptr<datasets::Dataset> opened = datasets::open_dataset(dataset.format, dataset.root, dataset.options);
  const std::string fingerprint = datasets::fingerprint_split(cell_split(*opened, dataset, old.category, manifest.protocol));
  check_same(fingerprint == old.dataset_fingerprint, command.force, dataset.root.string(),
             fmt::format("the dataset differs from the one {} ran on (fingerprint {} now, {} stored)", name, fingerprint.substr(0, 12),
                         old.dataset_fingerprint.substr(0, 12)),
             out);

  Cell cell;
  cell.method = &manifest.methods.front();
  cell.dataset = &manifest.datasets.front();
  cell.category = old.category;
  cell.seed = static_cast<std::uint64_t>(old.seed.value_or(0));
  cell.dataset_fingerprint = old.dataset_fingerprint;
  cell.key = old.key;
  if (old.kind == "checkpoint_eval") cell.checkpoint = details.value("checkpoint", std::string());

  fmt::print(out, "reproducing {} on {} threads\n", name, threads);
  ProgressReporter progress(out, ProgressReporter::Style::plain, std::nullopt, 1);
  DatasetCache cache;
  progress.cell_started(cell);
  const auto start = std::chrono::steady_clock::now();
  const reports::CellRecord now = run_cell(cell, {manifest, registry, cache, progress, threads});
  progress.cell_finished(cell, now.status == "ok", now.message.value_or(""),
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), {});
  if (temporary) fs::remove_all(manifest.artifacts, ec);
  if (now.status != "ok") {
    fmt::print(out, "the re-run failed: {}\n", now.message.value_or(""));
    return 1;
  }

  // Old and new side by side: every metric, then the image scores.
  std::size_t differing = 0;
  fmt::print(out, "\n{:<32} {:>18} {:>18} {:>12}\n", "metric", "stored", "re-run", "|difference|");
  for (const auto& metric : old.metrics) {
    const std::optional<double> again = reports::metric_value(now, metric.name);
    const bool agree = metric.value.has_value() == again.has_value() &&
                       (!metric.value || std::abs(*metric.value - *again) <= command.tolerance);
    differing += agree ? 0 : 1;
    fmt::print(out, "{:<32} {:>18} {:>18} {:>12}{}\n", metric.name, shown(metric.value), shown(again),
               metric.value && again ? fmt::format("{:.3g}", std::abs(*metric.value - *again)) : "", agree ? "" : "  DIFFERS");
  }
  std::map<std::string, double> old_scores;
  for (const auto& image : old.images) old_scores[image.sample_id] = image.score;
  double largest = 0;
  std::size_t images_differing = old.images.size() == now.images.size() ? 0 : 1;
  for (const auto& image : now.images) {
    const auto it = old_scores.find(image.sample_id);
    if (it == old_scores.end()) {
      ++images_differing;
      continue;
    }
    const double difference = std::abs(it->second - image.score);
    largest = std::max(largest, difference);
    images_differing += difference <= command.tolerance ? 0 : 1;
  }
  fmt::print(out, "image scores: {} stored, {} re-run, largest |difference| {:.3g}{}\n", old.images.size(), now.images.size(),
             largest, images_differing ? fmt::format(", {} differ", images_differing) : "");
  if (differing + images_differing == 0) {
    fmt::print(out, "reproduced: every metric and image score agrees within {}\n", command.tolerance);
    return 0;
  }
  fmt::print(out, "NOT reproduced: {} metrics and {} image scores differ by more than {}\n", differing, images_differing,
             command.tolerance);
  return 1;
}

}  // namespace kdad::harness
