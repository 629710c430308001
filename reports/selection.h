// Which stored cells a report, table or comparison reads: filters by run, method, dataset and
// protocol, parsed at the CLI into this struct.
#pragma once

#include "reports/records.h"
#include "reports/store.h"

#include <optional>
#include <string>
#include <vector>

namespace kdad::reports {

/// Empty fields select everything. Matching is exact on names and by prefix on ids.
struct Selection {
  std::optional<std::string> run;        ///< run uuid or git sha, or a prefix of either (≥ 4 characters)
  std::vector<std::string> methods;      ///< method id or display label, e.g. "rd" or "rd[tiny]"
  std::vector<std::string> datasets;     ///< dataset format, or the folder name of its root
  std::optional<std::string> protocol;   ///< protocol id or a prefix of it
};

/// What the selection found, with every run its cells came from.
struct SelectedCells {
  std::filesystem::path database;
  std::vector<StoredRun> runs;    ///< runs that wrote a selected cell, oldest first
  std::vector<StoredCell> cells;  ///< oldest first
};

/// Reads the cells of `database` (opened read-only, never modified) that match `selection`.
/// Throws UsageError naming the option when a filter matches nothing in the database, listing
/// what it holds, and StoreError when the file is not a readable kdad store.
SelectedCells select_cells(const std::filesystem::path& database, const Selection& selection);

/// The run of a stored cell, or nullptr.
const StoredRun* run_of(const SelectedCells& selected, const StoredCell& cell);

}  // namespace kdad::reports
