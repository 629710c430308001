// Selecting stored cells by run, method, dataset and protocol.
#include "reports/selection.h"

#include "core/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace kdad::reports {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

bool method_matches(const CellRecord& c, const std::string& name) {
  return c.method_id == name || c.method_label == name || method_display_name(c) == name;
}

bool dataset_matches(const CellRecord& c, const std::string& name) {
  return c.dataset_format == name || std::filesystem::path(c.dataset_root).filename().string() == name;
}

// Up to a few examples of what the database holds, for error messages.
std::string listing(const std::set<std::string>& names) {
  std::vector<std::string> shown(names.begin(), names.end());
  if (shown.size() > 8) {
    shown.resize(8);
    shown.push_back("...");
  }
  return shown.empty() ? "nothing" : fmt::format("{}", fmt::join(shown, ", "));
}

}  // namespace

SelectedCells select_cells(const std::filesystem::path& database, const Selection& selection) {
  ResultsStore store = ResultsStore::open_for_reading(database);
  SelectedCells selected;
  selected.database = database;
  std::vector<StoredRun> runs = store.runs();
  std::vector<StoredCell> cells = store.cells();

  std::set<std::int64_t> run_ids;
  if (selection.run) {
    const std::string& wanted = *selection.run;
    if (wanted.size() < 4) throw UsageError("--run", fmt::format("'{}' is too short: give at least 4 characters", wanted));
    std::set<std::string> known;
    for (const auto& r : runs) {
      known.insert(r.record.uuid.substr(0, 8) + " (git " + r.record.git_sha.substr(0, 8) + ")");
      if (starts_with(r.record.uuid, wanted) || starts_with(r.record.git_sha, wanted)) run_ids.insert(r.id);
    }
    if (run_ids.empty()) {
      throw UsageError("--run", fmt::format("no run in {} has uuid or git sha '{}' (runs: {})", database.string(), wanted,
                                            listing(known)));
    }
  }
  auto keep = [&](const StoredCell& cell) {
    const CellRecord& c = cell.record;
    if (selection.run && !run_ids.count(cell.run_id)) return false;
    if (!selection.methods.empty() &&
        std::none_of(selection.methods.begin(), selection.methods.end(), [&](const auto& m) { return method_matches(c, m); })) {
      return false;
    }
    if (!selection.datasets.empty() &&
        std::none_of(selection.datasets.begin(), selection.datasets.end(), [&](const auto& d) { return dataset_matches(c, d); })) {
      return false;
    }
    return !selection.protocol || starts_with(c.protocol_id, *selection.protocol);
  };
  // A filter that matches nothing is a mistake worth naming (typo, wrong database).
  auto require_any = [&](const char* option, const std::vector<std::string>& names, auto matches, auto describe) {
    std::set<std::string> known;
    for (const auto& cell : cells) known.insert(describe(cell.record));
    for (const auto& name : names) {
      if (std::none_of(cells.begin(), cells.end(), [&](const StoredCell& cell) { return matches(cell.record, name); })) {
        throw UsageError(option, fmt::format("no cell in {} has {} '{}' (it holds: {})", database.string(), option + 2,
                                             name, listing(known)));
      }
    }
  };
  require_any("--method", selection.methods, method_matches, [](const CellRecord& c) { return method_display_name(c); });
  require_any("--dataset", selection.datasets, dataset_matches, [](const CellRecord& c) { return c.dataset_format; });
  if (selection.protocol) {
    require_any("--protocol", std::vector<std::string>{*selection.protocol},
                [](const CellRecord& c, const std::string& p) { return starts_with(c.protocol_id, p); },
                [](const CellRecord& c) { return c.protocol_id; });
  }

  std::set<std::int64_t> used_runs;
  for (auto& cell : cells) {
    if (!keep(cell)) continue;
    used_runs.insert(cell.run_id);
    selected.cells.push_back(std::move(cell));
  }
  for (auto& run : runs) {
    if (used_runs.count(run.id)) selected.runs.push_back(std::move(run));
  }
  return selected;
}

const StoredRun* run_of(const SelectedCells& selected, const StoredCell& cell) {
  for (const auto& run : selected.runs) {
    if (run.id == cell.run_id) return &run;
  }
  return nullptr;
}

}  // namespace kdad::reports
