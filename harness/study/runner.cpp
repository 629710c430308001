// `kdad run`.
#include "harness/study/runner.h"
#include "reports/protocol_text.h"

#include "core/clock.h"
#include "core/parallel.h"
#include "harness/cli/allocator_choice.h"
#include "harness/study/cell_runner.h"
#include "harness/study/claim_heartbeat.h"
#include "harness/study/grid.h"
#include "harness/study/progress.h"
#include "harness/study/provenance.h"
#include "reports/store.h"
#include "reports/terminal_tables.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>
#include <unistd.h>

namespace kdad::harness {
namespace fs = std::filesystem;
namespace {

bool process_alive(std::int64_t pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// `stored` is each stored cell's status by key; "-" marks a cell not in the store yet.
void print_grid(std::ostream& out, const std::vector<Cell>& cells, const std::map<std::string, std::string>& stored) {
  fmt::print(out, "{:>5}  {:<16}  {:<8}  {}\n", "cell", "key", "stored", "method/dataset/category/seed");
  for (const auto& cell : cells) {
    const auto status = stored.find(cell.key);
    fmt::print(out, "{:>5}  {:<16}  {:<8}  {}\n", cell.index, cell.key.substr(0, 16),
               status == stored.end() ? std::string("-") : status->second, cell.name());
  }
}

std::map<std::string, std::optional<double>> headline(const reports::CellRecord& record) {
  std::map<std::string, std::optional<double>> out;
  for (const auto& m : record.metrics) {
    if (m.name == "image_auroc" || m.name == "pixel_auroc" || m.name == "au_pro") out[m.name] = m.value;
  }
  return out;
}

// Times the registered calibration workload under the cells' settings; its seconds are the unit in
// which `kdad compare` measures this run's speeds.
std::optional<methods::SpeedCalibration> calibrate(const methods::MethodRegistry& registry, const Manifest& manifest,
                                                   int threads, std::ostream& out) {
  registry.apply_environment({0, threads, manifest.device, true, allocator_choice() == AllocatorChoice::caching});
  const auto calibration = registry.measure_speed_calibration(manifest.device, threads);
  if (!calibration) {
    fmt::print(out, "no speed calibration workload is registered; speeds are stored uncalibrated\n");
    return std::nullopt;
  }
  fmt::print(out, "speed calibration: {:.3f} s per repeat of {} ({} threads, {})\n", calibration->seconds,
             calibration->benchmark, calibration->threads, calibration->device);
  return calibration;
}

// The stored calibration: `seconds` is the mean of the measurements before and after the cells.
std::string calibration_json(const methods::SpeedCalibration& start, const std::optional<methods::SpeedCalibration>& end) {
  nlohmann::json json = {{"benchmark", start.benchmark}, {"repeats", start.repeats}, {"threads", start.threads},
                         {"device", start.device},       {"seconds_start", start.seconds}};
  json["seconds"] = end ? 0.5 * (start.seconds + end->seconds) : start.seconds;
  if (end) json["seconds_end"] = end->seconds;
  return json.dump();
}

}  // namespace

RunSummary run_study(const Manifest& manifest, const methods::MethodRegistry& registry, const RunOptions& options,
                     const std::string& command_line, std::ostream& out) {
  std::vector<Cell> cells = expand_grid(manifest);
  if (options.only_keys) {
    std::erase_if(cells, [&](const Cell& cell) { return !options.only_keys->count(cell.key); });
  }
  RunSummary summary;
  summary.cells = cells.size();
  if (options.dry_run) {
    std::map<std::string, std::string> stored;
    std::error_code ec;  // a dry run never creates or migrates the database
    if (fs::exists(manifest.database, ec)) stored = reports::ResultsStore::open_for_reading(manifest.database).cell_statuses();
    print_grid(out, cells, stored);
    return summary;
  }

  // Before the store is touched: a worker on a node without the GPU it asks for fails at once, once.
  registry.check_device(manifest.device);
  if (manifest.database.has_parent_path()) fs::create_directories(manifest.database.parent_path());
  reports::ResultsStore store(manifest.database);
  const std::string host = host_name();
  const int interrupted = store.mark_interrupted_runs(host, process_alive, utc_now_iso8601());
  if (interrupted > 0) fmt::print(out, "marked {} earlier run(s) that were killed as interrupted\n", interrupted);
  const std::set<std::string> finished = options.resume ? store.finished_keys() : std::set<std::string>{};
  std::size_t to_run = 0;
  for (const auto& cell : cells) to_run += finished.count(cell.key) ? 0 : 1;

  reports::RunRecord run = make_run_record("run", command_line, registry.library_versions());
  const int threads = manifest.threads > 0 ? manifest.threads : hardware_threads();
  const bool calibrating = options.calibrate || manifest.calibrate;
  std::optional<methods::SpeedCalibration> calibration_start;
  if (calibrating) {
    calibration_start = calibrate(registry, manifest, threads, out);
    if (calibration_start) run.calibration_json = calibration_json(*calibration_start, std::nullopt);
  }
  run.manifest = manifest.canonical;
  run.manifest_sha256 = manifest.sha256;
  const std::int64_t run_id = store.begin_run(run);
  const reports::Claimant claimant{run_id, host, static_cast<std::int64_t>(::getpid()), run.started_at};
  const ClaimHeartbeat heartbeat(manifest.database, run_id);

  const bool terminal = options.terminal.value_or(false);
  ProgressReporter progress(out, terminal ? ProgressReporter::Style::terminal : ProgressReporter::Style::plain,
                            options.log_json, to_run);
  progress.run_started(manifest.name, run.uuid, cells.size());
  DatasetCache datasets;
  const CellRunContext context{manifest, registry, datasets, progress, threads};
  const auto start = std::chrono::steady_clock::now();
  // Computes a claimed cell; false when it failed.
  auto compute = [&](const Cell& cell) {
    progress.cell_started(cell);
    const auto cell_start = std::chrono::steady_clock::now();
    const reports::CellRecord record = run_cell(cell, context);
    store.write_cell(run_id, record);  // committed before the next cell starts
    store.release_claim(cell.key, run_id);
    const bool ok = record.status == "ok";
    (ok ? summary.ok : summary.failed) += 1;
    progress.cell_finished(cell, ok, record.message.value_or(""),
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - cell_start).count(),
                           headline(record));
    return ok;
  };
  // One claim attempt: true when the cell is settled here (computed, or stored by another worker).
  bool stop = false;
  auto settle = [&](const Cell& cell) {
    const reports::ClaimOutcome claim = store.claim_cell(cell.key, claimant, unix_seconds(), kClaimStaleSeconds, process_alive);
    if (claim == reports::ClaimOutcome::held_elsewhere) return false;
    if (claim == reports::ClaimOutcome::finished_elsewhere) {
      ++summary.elsewhere;
      progress.cell_skipped(cell, "computed by another worker");
    } else if (!compute(cell) && options.fail_fast) {
      stop = true;
    }
    return true;
  };
  std::vector<const Cell*> held;  // claimed by another live worker: revisited until stored or its claim dies
  for (const auto& cell : cells) {
    if (finished.count(cell.key)) {
      ++summary.skipped;
      progress.cell_skipped(cell, "finished in the store (--resume)");
      continue;
    }
    if (!settle(cell)) held.push_back(&cell);
    if (stop) break;
  }
  // The run ends with the grid complete: a worker that was killed leaves its cell to the others.
  while (!stop && !held.empty()) {
    std::this_thread::sleep_for(std::chrono::duration<double>(kClaimPollSeconds));
    std::vector<const Cell*> still_held;
    for (const Cell* cell : held) {
      if (!stop && !settle(*cell)) still_held.push_back(cell);
    }
    held = std::move(still_held);
  }
  if (calibration_start) {
    // Measured again after the cells: the machine's speed drifts, and the mean of both ends
    // describes the time the cells ran in better than either.
    if (const auto end = calibrate(registry, manifest, threads, out)) {
      store.set_run_calibration(run_id, calibration_json(*calibration_start, *end));
    }
  }
  store.end_run(run_id, summary.failed == 0 ? "ok" : "failed", utc_now_iso8601());
  progress.run_finished(summary.ok, summary.failed, summary.skipped, summary.elsewhere,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  std::vector<reports::StoredCell> stored;  // the table reads the store, like every report
  std::vector<std::string> not_run;
  for (const auto& cell : cells) {
    if (auto found = store.find_cell(cell.key)) {
      stored.push_back(std::move(*found));
    } else {
      not_run.push_back(cell.name());
    }
  }
  fmt::print(out, "protocol {} (AU-PRO to FPR {}, {}), results in {}", protocol_id(manifest.protocol), manifest.protocol.pro_limit,
             reports::resolution_label(canonical_json(manifest.protocol)), manifest.database.string());
  reports::print_study_table(out, stored, not_run);
  return summary;
}

}  // namespace kdad::harness
