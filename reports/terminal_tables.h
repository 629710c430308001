// The tables kdad prints on a terminal: the study table of `kdad run` and the per-category table
// (or JSON) of `kdad eval`. Both read cell records, like every other renderer.
#pragma once

#include "reports/records.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kdad::reports {

/// Where an evaluation was recorded, if it was.
struct StoreSummary {
  std::string path;
  std::string run_uuid;
  std::size_t inserted = 0;
  std::size_t replaced = 0;
};

/// The study table: one row per cell in the given order (failed cells with their message; names
/// in `not_run` as "not run"), then per method and dataset the mean over categories under the
/// rule of reports/summary.h, then notes (undefined means, random teachers).
void print_study_table(std::ostream& out, const std::vector<StoredCell>& cells, const std::vector<std::string>& not_run);

/// `kdad eval`'s table: one row per category (cells of one protocol and maps folder), the mean,
/// and notes on the protocol, RD4AD-undefined images, resized maps and the store.
void print_eval_table(std::ostream& out, const std::vector<CellRecord>& cells, const std::optional<StoreSummary>& store);

/// `kdad eval --json`: protocol, per-category metrics and counts, means, store.
nlohmann::json eval_json(const std::vector<CellRecord>& cells, const std::optional<StoreSummary>& store);

/// A note for cells whose teachers had random weights (`pretrained = none`), or "" when none had.
std::string random_weights_note(const std::vector<const CellRecord*>& cells);

}  // namespace kdad::reports
