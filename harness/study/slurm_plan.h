// `kdad plan` and `kdad run-cell`: a study's grid as a Slurm job array, each task writing its own
// SQLite shard (SQLite's locks are not safe on network file systems), merged by `kdad merge`.
#pragma once

#include "harness/cli/commands.h"
#include "methods/registry.h"

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace kdad::harness {

/// One cell of a plan: the array task that runs it, its key and its name.
struct PlannedCell {
  int task = 0;
  std::string key;
  std::string name;
};

/// Lists the grid (or its cells not stored ok in --missing), or writes OUT/submit.sh (the job
/// array), OUT/cells.tsv (the cells each task runs) and OUT/plan.json (the kdad binary, its
/// version, the manifest's hash, the forced options and the environment), and with --submit runs
/// sbatch on it. Returns 0.
int run_plan(const PlanCommand& command, const methods::MethodRegistry& registry, const std::string& command_line,
             std::ostream& out);

/// One array task: checks the plan against the manifest (same hash, every planned cell still in
/// the grid), then runs the task's cells into OUT/shards/<plan>-task-<I>.sqlite (resuming: a
/// re-queued task skips what it finished). Returns 0, or 1 when a cell failed.
int run_plan_task(const RunCellCommand& command, const methods::MethodRegistry& registry, const std::string& command_line,
                  std::ostream& out);

/// The sbatch script of a plan of `tasks` array tasks (pure; tested).
std::string slurm_script(const SlurmOptions& options, const std::string& job_name, int tasks,
                         const std::filesystem::path& kdad, const std::filesystem::path& manifest,
                         const std::filesystem::path& plan_folder, const std::string& header_comment);

}  // namespace kdad::harness
