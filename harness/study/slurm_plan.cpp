// `kdad plan --slurm` and `kdad run-cell`.
#include "harness/study/slurm_plan.h"

#include "core/build_info.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/sha256.h"
#include "core/shell_quote.h"
#include "core/text_file.h"
#include "harness/study/grid.h"
#include "harness/study/manifest.h"
#include "harness/study/provenance.h"
#include "harness/study/runner.h"
#include "reports/store.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <set>
#include <sstream>
#include <unistd.h>

namespace kdad::harness {
namespace fs = std::filesystem;
namespace {

// What a task's process inherits and a result may depend on; recorded with the plan.
constexpr const char* kRecordedEnvironment[] = {"CUDA_VISIBLE_DEVICES", "GLIBC_TUNABLES", "KDAD_ALLOCATOR", "KDAD_TORCH_EXE",
                                                "LD_LIBRARY_PATH",      "OMP_NUM_THREADS", "PATH",          "TORCH_HOME"};

// The user-facing kdad beside this process (kdad-torch runs plan and run-cell for it).
fs::path kdad_executable() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw InternalError("/proc/self/exe", "cannot locate the kdad executable: " + ec.message());
  const fs::path light = self.parent_path() / "kdad";
  return ::access(light.c_str(), X_OK) == 0 ? light : self;
}

std::string read_plan_file(const fs::path& file) {
  auto text = read_file_contents(file);
  if (!text) throw IoError(file.string(), "cannot read (is this a folder written by kdad plan --slurm?)");
  return *text;
}

std::vector<PlannedCell> read_cells_tsv(const fs::path& file) {
  std::vector<PlannedCell> cells;
  std::istringstream lines(read_plan_file(file));
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (number == 1) continue;  // header
    std::istringstream fields(line);
    PlannedCell cell;
    std::string task;
    if (!std::getline(fields, task, '\t') || !std::getline(fields, cell.key, '\t') || !std::getline(fields, cell.name)) {
      throw DataError(fmt::format("{}:{}", file.string(), number), "not 'task<TAB>key<TAB>name'");
    }
    try {
      cell.task = std::stoi(task);
    } catch (const std::exception&) {
      throw DataError(fmt::format("{}:{}", file.string(), number), fmt::format("task '{}' is not a number", task));
    }
    cells.push_back(std::move(cell));
  }
  return cells;
}

}  // namespace

std::string slurm_script(const SlurmOptions& options, const std::string& job_name, int tasks, const fs::path& kdad,
                         const fs::path& manifest, const fs::path& plan_folder, const std::string& header_comment) {
  std::string script = "#!/bin/bash\n";
  auto directive = [&](const std::string& text) { script += "#SBATCH " + text + "\n"; };
  directive("--job-name=" + job_name);
  directive(fmt::format("--array=0-{}{}", tasks - 1, options.throttle > 0 ? fmt::format("%{}", options.throttle) : ""));
  directive("--output=" + (plan_folder / "logs" / "%x-%A_%a.out").string());
  if (!options.partition.empty()) directive("--partition=" + options.partition);
  if (!options.account.empty()) directive("--account=" + options.account);
  if (!options.time_limit.empty()) directive("--time=" + options.time_limit);
  if (!options.memory.empty()) directive("--mem=" + options.memory);
  if (options.gpus > 0) directive(fmt::format("--gres=gpu:{}", options.gpus));
  directive(fmt::format("--cpus-per-task={}", std::max(options.cpus, 1)));
  for (const auto& line : options.extra) directive(line);
  script += header_comment;
  script += "set -euo pipefail\n";
  script += fmt::format("exec {} run-cell {} --plan {} --task \"${{SLURM_ARRAY_TASK_ID}}\"\n", shell_quote(kdad.string()),
                        shell_quote(manifest.string()), shell_quote(plan_folder.string()));
  return script;
}

int run_plan(const PlanCommand& command, const methods::MethodRegistry& registry, const std::string& command_line,
             std::ostream& out) {
  // Read from its absolute path, as every task will (the paths inside it resolve the same way).
  const fs::path manifest_file = fs::absolute(command.manifest).lexically_normal();
  const Manifest manifest = read_manifest(manifest_file, registry, command.forced_options);
  std::vector<Cell> cells = expand_grid(manifest);
  const std::size_t grid = cells.size();
  if (command.missing) {
    const std::set<std::string> finished = reports::ResultsStore::open_for_reading(*command.missing).finished_keys();
    std::erase_if(cells, [&](const Cell& cell) { return finished.count(cell.key) > 0; });
    fmt::print(out, "{} of {} cells are not stored ok in {}\n", cells.size(), grid, command.missing->string());
  }
  const int per_task = command.options.cells_per_task;
  const int tasks = static_cast<int>((cells.size() + static_cast<std::size_t>(per_task) - 1) / static_cast<std::size_t>(per_task));
  std::string tsv = "task\tkey\tname\n";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    tsv += fmt::format("{}\t{}\t{}\n", static_cast<int>(i) / per_task, cells[i].key, cells[i].name());
  }
  if (!command.slurm) {
    out << tsv;
    return 0;
  }
  if (cells.empty()) {
    fmt::print(out, "nothing to plan: every cell is stored ok\n");
    return 0;
  }
  const fs::path folder = fs::absolute(*command.slurm).lexically_normal();
  fs::create_directories(folder / "logs");
  fs::create_directories(folder / "shards");
  const std::string plan_id = sha256_hex(tsv).substr(0, 12);  // shards of a re-plan into the same folder do not collide
  SlurmOptions slurm = command.options;
  if (slurm.cpus == 0) slurm.cpus = manifest.threads > 0 ? manifest.threads : 1;
  const BuildInfo build = build_info();
  const fs::path kdad = kdad_executable();

  nlohmann::json environment = nlohmann::json::object();
  for (const char* name : kRecordedEnvironment) {
    if (const char* value = std::getenv(name)) environment[name] = value;
  }
  const nlohmann::json plan = {{"plan", plan_id},
                               {"created_at", utc_now_iso8601()},
                               {"command_line", command_line},
                               {"host", host_name()},
                               {"kdad", kdad.string()},
                               {"kdad_version", build.version},
                               {"git_sha", build.git_sha},
                               {"git_dirty", build.git_dirty},
                               {"manifest", manifest_file.string()},
                               {"manifest_sha256", manifest.sha256},
                               {"forced_options", command.forced_options},
                               {"cells", cells.size()},
                               {"grid_cells", grid},
                               {"cells_per_task", per_task},
                               {"tasks", tasks},
                               {"environment", environment}};
  write_file_atomically(folder / "cells.tsv", tsv);
  write_file_atomically(folder / "plan.json", plan.dump(2) + "\n");
  const std::string comment = fmt::format("# Written by kdad plan (kdad {} {}{}) on {}: {} cells of {} in {} tasks.\n"
                                          "# Each task writes {}/shards/{}-task-<I>.sqlite; merge them with\n"
                                          "#   {} merge {}/shards/*.sqlite --into RESULTS.sqlite\n",
                                          build.version, build.git_sha.substr(0, 12), build.git_dirty ? "-dirty" : "",
                                          utc_now_iso8601(), cells.size(), manifest.name, tasks, folder.string(), plan_id,
                                          kdad.string(), folder.string());
  const fs::path script = folder / "submit.sh";
  write_file_atomically(script, slurm_script(slurm, "kdad-" + plan_id, tasks, kdad, manifest_file, folder, comment));
  fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  fmt::print(out, "planned {} cells in {} array tasks: {}\n  submit: sbatch {}\n  merge:  {} merge {}/shards/*.sqlite --into RESULTS.sqlite\n",
             cells.size(), tasks, folder.string(), script.string(), kdad.string(), folder.string());
  if (!command.submit) return 0;
  out.flush();
  const int status = std::system(fmt::format("sbatch {}", shell_quote(script.string())).c_str());
  if (status != 0) throw IoError("sbatch", fmt::format("failed (status {}) on {}", status, script.string()));
  return 0;
}

int run_plan_task(const RunCellCommand& command, const methods::MethodRegistry& registry, const std::string& command_line,
                  std::ostream& out) {
  int task = -1;
  if (command.task) {
    task = *command.task;
  } else if (const char* id = std::getenv("SLURM_ARRAY_TASK_ID")) {
    try {
      task = std::stoi(id);
    } catch (const std::exception&) {
      throw UsageError("SLURM_ARRAY_TASK_ID", fmt::format("'{}' is not a task number", id));
    }
  } else {
    throw UsageError("--task", "give the array task (outside Slurm there is no SLURM_ARRAY_TASK_ID)");
  }
  const fs::path folder = fs::absolute(command.plan).lexically_normal();
  nlohmann::json plan;
  try {
    plan = nlohmann::json::parse(read_plan_file(folder / "plan.json"));
  } catch (const nlohmann::json::exception& e) {
    throw DataError((folder / "plan.json").string(), std::string("not a kdad plan: ") + e.what());
  }
  const std::map<std::string, std::string> forced = plan.value("forced_options", std::map<std::string, std::string>{});
  Manifest manifest = read_manifest(fs::absolute(command.manifest).lexically_normal(), registry, forced);
  if (manifest.sha256 != plan.value("manifest_sha256", std::string())) {
    throw ConfigError(command.manifest.string(), fmt::format("differs from the manifest {} was planned from; plan it again",
                                                             folder.string()));
  }
  std::set<std::string> keys;
  for (const auto& cell : read_cells_tsv(folder / "cells.tsv")) {
    if (cell.task == task) keys.insert(cell.key);
  }
  if (keys.empty()) {
    throw UsageError("--task", fmt::format("{} is not a task of {} (tasks 0..{})", task, folder.string(), plan.value("tasks", 0) - 1));
  }
  std::set<std::string> grid;
  for (const auto& cell : expand_grid(manifest)) grid.insert(cell.key);
  for (const auto& key : keys) {
    if (!grid.count(key)) {
      throw DataError((folder / "cells.tsv").string(), fmt::format("cell {} is no longer in the manifest's grid "
                                                                   "(its dataset or options changed since the plan)", key.substr(0, 16)));
    }
  }
  manifest.database = folder / "shards" / fmt::format("{}-task-{}.sqlite", plan.value("plan", std::string("plan")), task);
  fmt::print(out, "kdad: task {} of plan {}: {} cell(s) into the shard {}\n", task, folder.string(), keys.size(),
             manifest.database.string());
  RunOptions options;
  options.resume = true;  // a re-queued task keeps what it finished
  options.only_keys = keys;
  options.terminal = false;
  const RunSummary summary = run_study(manifest, registry, options, command_line, out);
  return summary.failed == 0 ? 0 : 1;
}

}  // namespace kdad::harness
