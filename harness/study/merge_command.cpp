// `kdad merge`.
#include "harness/study/merge_command.h"

#include "reports/store.h"

#include <fmt/format.h>
#include <fmt/ostream.h>


namespace kdad::harness {

int run_merge(const MergeCommand& command, std::ostream& out) {
  // Every shard is opened (and refused, when it is no kdad store or newer) before the target is touched.
  for (const auto& shard : command.shards) reports::ResultsStore::open_for_reading(shard);
  reports::ResultsStore into(command.into);
  for (const auto& file : command.shards) {
    reports::ResultsStore shard = reports::ResultsStore::open_for_reading(file);
    const reports::MergeOutcome merged = into.merge_from(shard);
    fmt::print(out, "{}: {} run(s) added, {} cell(s) added, {} replaced by later ones, {} already present\n", file.string(),
               merged.runs_added, merged.cells_added, merged.cells_replaced, merged.cells_kept);
  }
  fmt::print(out, "{} now holds {} cell(s)\n", command.into.string(), into.count_cells());
  return 0;
}

}  // namespace kdad::harness
