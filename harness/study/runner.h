// `kdad run`: every cell of a manifest's grid, each written to the store in one transaction.
#pragma once

#include "harness/study/manifest.h"

#include <filesystem>
#include <optional>
#include <set>
#include <ostream>
#include <string>

namespace kdad::harness {

struct RunOptions {
  bool resume = false;     ///< skip cells whose key is already stored with status ok
  bool fail_fast = false;  ///< stop at the first failed cell
  bool dry_run = false;    ///< print the grid and stop
  bool calibrate = false;  ///< time the speed calibration before the cells (also: manifest `calibrate`)
  std::optional<std::filesystem::path> log_json;  ///< one JSON event per line
  std::optional<bool> terminal;  ///< live progress line; default: whether `out` is a terminal
  std::optional<std::set<std::string>> only_keys;  ///< run just these cells of the grid (a Slurm task's)
};

struct RunSummary {
  std::size_t cells = 0;
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  std::size_t elsewhere = 0;  ///< computed, or being computed, by another worker on the same database
};

/// Runs the study. Returns the summary; the exit code is 0 when no cell failed, 1 otherwise.
/// Crash-safe: every finished cell is committed before the next starts, and a killed run is
/// marked "interrupted" by the next run on the same host. Several runs of one manifest on one
/// database (workers, e.g. one per GPU) share the grid: each claims a cell in the store before
/// computing it and skips cells another live worker holds or has stored since this run began.
RunSummary run_study(const Manifest& manifest, const methods::MethodRegistry& registry, const RunOptions& options,
                     const std::string& command_line, std::ostream& out);

}  // namespace kdad::harness
