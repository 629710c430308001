// Progress of a study: a live line per cell on a terminal, periodic plain lines otherwise, and
// one JSON event per line for machines (--log-json).
#pragma once

#include "harness/study/grid.h"
#include "methods/method.h"

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <string>

namespace kdad::harness {

class ProgressReporter final : public methods::ProgressSink {
 public:
  enum class Style { terminal, plain };

  /// `human` receives the lines for people; `json_log`, when given, one JSON object per event.
  ProgressReporter(std::ostream& human, Style style, const std::optional<std::filesystem::path>& json_log,
                   std::size_t cells_to_run, double plain_interval_seconds = 10.0);

  void run_started(const std::string& study, const std::string& run_uuid, std::size_t total_cells);
  void cell_started(const Cell& cell);
  /// `reason`: why the cell is not computed here (finished in the store, another worker's).
  void cell_skipped(const Cell& cell, const std::string& reason);
  /// `summary` holds a few headline metrics for the line (name → value or null).
  void cell_finished(const Cell& cell, bool ok, const std::string& message, double seconds,
                     const std::map<std::string, std::optional<double>>& summary);
  /// `elsewhere`: cells left to other workers sharing the database.
  void run_finished(std::size_t ok, std::size_t failed, std::size_t skipped, std::size_t elsewhere, double seconds);

  /// From the method inside the current cell.
  void report(const methods::ProgressEvent& event) override;

 private:
  using Clock = std::chrono::steady_clock;
  void emit_json(const std::string& json_line);
  std::optional<double> grid_eta_seconds(std::optional<double> cell_eta) const;

  std::ostream& human_;
  Style style_;
  std::optional<std::ofstream> json_;
  std::size_t cells_to_run_;
  std::size_t cells_done_ = 0;
  double seconds_in_done_cells_ = 0;
  double plain_interval_;
  const Cell* current_ = nullptr;
  Clock::time_point cell_start_;
  Clock::time_point last_plain_line_;
  bool live_line_open_ = false;
};

/// Seconds as "1h02m", "3m05s" or "12s".
std::string format_duration(double seconds);

}  // namespace kdad::harness
