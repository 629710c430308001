// Progress of a study for people and machines.
#include "harness/study/progress.h"

#include "core/clock.h"
#include "core/error.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace kdad::harness {

std::string format_duration(double seconds) {
  const auto total = static_cast<long>(std::lround(std::max(0.0, seconds)));
  if (total >= 3600) return fmt::format("{}h{:02d}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02d}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

ProgressReporter::ProgressReporter(std::ostream& human, Style style, const std::optional<std::filesystem::path>& json_log,
                                   std::size_t cells_to_run, double plain_interval_seconds)
    : human_(human), style_(style), cells_to_run_(cells_to_run), plain_interval_(plain_interval_seconds) {
  if (json_log) {
    json_.emplace(*json_log, std::ios::app);
    if (!*json_) throw IoError(json_log->string(), "cannot open the JSON log for writing");
  }
}

void ProgressReporter::emit_json(const std::string& json_line) {
  if (!json_) return;
  *json_ << json_line << '\n';
  json_->flush();  // a killed run keeps every event written so far
}

std::optional<double> ProgressReporter::grid_eta_seconds(std::optional<double> cell_eta) const {
  if (cells_done_ == 0) return std::nullopt;
  const double per_cell = seconds_in_done_cells_ / static_cast<double>(cells_done_);
  const std::size_t after_current = cells_to_run_ - cells_done_ - (current_ ? 1 : 0);
  return cell_eta.value_or(per_cell) * (current_ ? 1.0 : 0.0) + per_cell * static_cast<double>(after_current);
}

void ProgressReporter::run_started(const std::string& study, const std::string& run_uuid, std::size_t total_cells) {
  fmt::print(human_, "study {}: {} cells ({} to run), run {}\n", study, total_cells, cells_to_run_, run_uuid);
  human_.flush();
  emit_json(nlohmann::json({{"event", "run_started"}, {"time", utc_now_iso8601()}, {"study", study},
                            {"run", run_uuid}, {"cells", total_cells}, {"cells_to_run", cells_to_run_}})
                .dump());
}

void ProgressReporter::cell_started(const Cell& cell) {
  current_ = &cell;
  cell_start_ = Clock::now();
  last_plain_line_ = cell_start_;
  if (style_ == Style::plain) {
    fmt::print(human_, "[{}/{}] {} started\n", cells_done_ + 1, cells_to_run_, cell.name());
    human_.flush();
  }
  emit_json(nlohmann::json({{"event", "cell_started"}, {"time", utc_now_iso8601()}, {"cell", cell.index},
                            {"name", cell.name()}, {"key", cell.key}})
                .dump());
}

void ProgressReporter::cell_skipped(const Cell& cell, const std::string& reason) {
  emit_json(nlohmann::json({{"event", "cell_skipped"}, {"time", utc_now_iso8601()}, {"cell", cell.index},
                            {"name", cell.name()}, {"key", cell.key}, {"reason", reason}})
                .dump());
}

void ProgressReporter::report(const methods::ProgressEvent& event) {
  if (!current_) return;
  const double elapsed = std::chrono::duration<double>(Clock::now() - cell_start_).count();
  std::optional<double> cell_eta;
  if (event.steps > 0 && event.step > 0 && event.phase == "fit") {
    cell_eta = elapsed / static_cast<double>(event.step) * static_cast<double>(event.steps - event.step);
  }
  const auto grid_eta = grid_eta_seconds(cell_eta);
  std::string line = fmt::format("[{}/{}] {} {}", cells_done_ + 1, cells_to_run_, current_->name(), event.phase);
  if (event.epochs > 0) line += fmt::format(" epoch {}/{}", event.epoch, event.epochs);
  if (event.steps > 0) line += fmt::format(" step {}/{}", event.step, event.steps);
  if (event.loss) line += fmt::format(" loss {:.4f}", *event.loss);
  if (event.images_per_second > 0) line += fmt::format(" {:.1f} img/s", event.images_per_second);
  if (cell_eta) line += " ETA cell " + format_duration(*cell_eta);
  if (grid_eta) line += " grid " + format_duration(*grid_eta);
  if (style_ == Style::terminal) {
    fmt::print(human_, "\r\033[K{}", line);
    human_.flush();
    live_line_open_ = true;
  } else if (std::chrono::duration<double>(Clock::now() - last_plain_line_).count() >= plain_interval_) {
    fmt::print(human_, "{}\n", line);
    human_.flush();  // a log file or pipe sees each line when it happens, not when a buffer fills
    last_plain_line_ = Clock::now();
  }
  nlohmann::json json = {{"event", "progress"}, {"time", utc_now_iso8601()}, {"cell", current_->index},
                         {"phase", event.phase}, {"epoch", event.epoch}, {"epochs", event.epochs},
                         {"step", event.step}, {"steps", event.steps},
                         {"images_per_second", event.images_per_second}};
  json["loss"] = event.loss ? nlohmann::json(*event.loss) : nlohmann::json(nullptr);
  json["eta_cell_s"] = cell_eta ? nlohmann::json(*cell_eta) : nlohmann::json(nullptr);
  json["eta_grid_s"] = grid_eta ? nlohmann::json(*grid_eta) : nlohmann::json(nullptr);
  emit_json(json.dump());
}

void ProgressReporter::cell_finished(const Cell& cell, bool ok, const std::string& message, double seconds,
                                     const std::map<std::string, std::optional<double>>& summary) {
  ++cells_done_;
  seconds_in_done_cells_ += seconds;
  current_ = nullptr;
  std::string headline;
  for (const auto& [name, value] : summary) {
    headline += fmt::format(" {}={}", name, value ? fmt::format("{:.4f}", *value) : "n/a");
  }
  if (live_line_open_) fmt::print(human_, "\r\033[K");
  live_line_open_ = false;
  if (ok) {
    fmt::print(human_, "[{}/{}] {} ok in {}{}\n", cells_done_, cells_to_run_, cell.name(), format_duration(seconds), headline);
  } else {
    fmt::print(human_, "[{}/{}] {} FAILED in {}: {}\n", cells_done_, cells_to_run_, cell.name(), format_duration(seconds), message);
  }
  human_.flush();
  nlohmann::json json = {{"event", "cell_finished"}, {"time", utc_now_iso8601()}, {"cell", cell.index},
                         {"name", cell.name()}, {"key", cell.key}, {"status", ok ? "ok" : "failed"},
                         {"seconds", seconds}};
  if (!ok) json["message"] = message;
  for (const auto& [name, value] : summary) json["metrics"][name] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  emit_json(json.dump());
}

void ProgressReporter::run_finished(std::size_t ok, std::size_t failed, std::size_t skipped, std::size_t elsewhere,
                                    double seconds) {
  fmt::print(human_, "done in {}: {} ok, {} failed, {} skipped (already finished){}\n", format_duration(seconds), ok, failed, skipped,
             elsewhere ? fmt::format(", {} left to other workers", elsewhere) : std::string());
  emit_json(nlohmann::json({{"event", "run_finished"}, {"time", utc_now_iso8601()}, {"ok", ok}, {"failed", failed},
                            {"skipped", skipped}, {"elsewhere", elsewhere}, {"seconds", seconds}})
                .dump());
}

}  // namespace kdad::harness
