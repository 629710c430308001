// `kdad merge`: shard databases (one per Slurm task or worker) combined into one.
#pragma once

#include "harness/cli/commands.h"

#include <ostream>

namespace kdad::harness {

/// Checks every shard first (each must be a kdad store of this or an older schema; nothing is
/// written otherwise), then merges them one transaction per shard (ResultsStore::merge_from) and
/// prints what each added. Safe to re-run: a second merge adds nothing. Returns 0.
int run_merge(const MergeCommand& command, std::ostream& out);

}  // namespace kdad::harness
