// Option parsers of the study commands: `kdad run`, `kdad plan`, `kdad run-cell` and `kdad merge`.
#include "core/error.h"
#include "harness/cli/option_parsing.h"
#include "harness/study/manifest.h"

#include <fmt/format.h>

#include <filesystem>
#include <regex>

namespace kdad::harness {
namespace po = boost::program_options;
namespace {

// --pretrained imagenet|none: forced on every method that has the option.
void add_forced_pretrained(const std::string& pretrained, std::map<std::string, std::string>& forced) {
  if (pretrained.empty()) return;
  if (pretrained != "imagenet" && pretrained != "none") {
    throw UsageError("--pretrained", fmt::format("'{}' is not imagenet or none", pretrained));
  }
  forced["pretrained"] = pretrained;
}

// Slurm's own spellings (sbatch(1)): a typo is refused here, not by sbatch once the plan is written.
void check_slurm_time(const std::string& time) {
  static const std::regex format(R"((\d+-\d+(:\d+){0,2}|\d+(:\d+){0,2}|UNLIMITED|INFINITE))", std::regex::icase);
  if (!time.empty() && !std::regex_match(time, format)) {
    throw UsageError("--time", fmt::format("'{}' is not a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS)", time));
  }
}

void check_slurm_memory(const std::string& memory) {
  static const std::regex format(R"(\d+[KMGT]?)", std::regex::icase);
  if (!memory.empty() && !std::regex_match(memory, format)) {
    throw UsageError("--mem", fmt::format("'{}' is not a Slurm memory size (megabytes, or a number with K, M, G or T)", memory));
  }
}

}  // namespace

Command parse_merge(const std::vector<std::string>& args) {
  po::options_description options("merge options");
  MergeCommand command;
  std::vector<std::string> shards;
  std::string into;
  options.add_options()
      ("help,h", "show this help")
      ("shards", po::value<std::vector<std::string>>(&shards)->required(), "results databases to merge (positional)")
      ("into", po::value<std::string>(&into)->required(), "the merged database (created when absent)");
  const std::string usage = "usage: kdad merge SHARD... --into DB";
  if (auto help = help_or_parse(args, options, usage, {"shards"}, true)) return *help;
  command.into = into;
  for (const auto& shard : shards) {
    std::error_code ec;
    if (std::filesystem::equivalent(shard, into, ec)) throw UsageError(shard, "is the database merged into");
    command.shards.emplace_back(shard);
  }
  return command;
}

Command parse_plan(const std::vector<std::string>& args) {
  po::options_description options("plan options");
  PlanCommand command;
  std::string manifest, slurm, missing, pretrained;
  SlurmOptions& s = command.options;
  options.add_options()
      ("help,h", "show this help")
      ("manifest", po::value<std::string>(&manifest)->required(), "study manifest (TOML)")
      ("slurm", po::value<std::string>(&slurm), "write the job-array plan to this folder (submit.sh, cells.tsv, plan.json)")
      ("missing", po::value<std::string>(&missing), "only the cells not stored with status ok in this (merged) database")
      ("submit", po::bool_switch(&command.submit), "run sbatch on the written submit.sh")
      ("partition", po::value<std::string>(&s.partition), "#SBATCH --partition")
      ("account", po::value<std::string>(&s.account), "#SBATCH --account")
      ("time", po::value<std::string>(&s.time_limit), "#SBATCH --time per task, e.g. 1-00:00:00")
      ("mem", po::value<std::string>(&s.memory), "#SBATCH --mem per task, e.g. 32G")
      ("gpus", po::value<int>(&s.gpus)->default_value(0), "#SBATCH --gpus per task (0: none)")
      ("cpus", po::value<int>(&s.cpus)->default_value(0), "#SBATCH --cpus-per-task (0: the manifest's threads, else 1)")
      ("throttle", po::value<int>(&s.throttle)->default_value(0), "at most this many tasks at once (--array=...%N; 0: no limit)")
      ("cells-per-task", po::value<int>(&s.cells_per_task)->default_value(1), "cells run one after another by each task")
      ("sbatch", po::value<std::vector<std::string>>(&s.extra)->composing(), "a further #SBATCH line, e.g. --qos=long (repeatable)")
      ("pretrained", po::value<std::string>(&pretrained), "imagenet|none: override every method's pretrained option");
  const std::string usage = "usage: kdad plan MANIFEST [--slurm OUT] [--missing DB] [--submit] [slurm options]";
  if (auto help = help_or_parse(args, options, usage, {"manifest"})) return *help;
  command.manifest = manifest;
  if (!slurm.empty()) command.slurm = slurm;
  if (!missing.empty()) command.missing = missing;
  if (command.submit && !command.slurm) throw UsageError("--submit", "needs --slurm OUT (the plan to submit)");
  if (s.gpus < 0 || s.gpus > 64) throw UsageError("--gpus", fmt::format("{} is outside 0..64", s.gpus));
  if (s.cpus < 0 || s.cpus > 1024) throw UsageError("--cpus", fmt::format("{} is outside 0..1024", s.cpus));
  check_slurm_time(s.time_limit);
  check_slurm_memory(s.memory);
  if (s.throttle < 0) throw UsageError("--throttle", fmt::format("{} is negative", s.throttle));
  if (s.cells_per_task < 1) throw UsageError("--cells-per-task", fmt::format("{} is not at least 1", s.cells_per_task));
  for (const auto& line : s.extra) {
    if (line.find('\n') != std::string::npos || line.rfind("-", 0) != 0) {
      throw UsageError("--sbatch", fmt::format("'{}' is not one sbatch option such as --qos=long", line));
    }
  }
  add_forced_pretrained(pretrained, command.forced_options);
  return command;
}

Command parse_run_cell(const std::vector<std::string>& args) {
  po::options_description options("run-cell options");
  RunCellCommand command;
  std::string manifest, plan;
  int task = -1;
  options.add_options()
      ("help,h", "show this help")
      ("manifest", po::value<std::string>(&manifest)->required(), "the study manifest the plan was made from")
      ("plan", po::value<std::string>(&plan)->required(), "the plan folder written by kdad plan --slurm")
      ("task", po::value<int>(&task), "the array task (default: $SLURM_ARRAY_TASK_ID)");
  ImageInputText image_inputs;
  add_image_input_options(options, image_inputs);
  const std::string usage = "usage: kdad run-cell MANIFEST --plan OUT [--task I]";
  if (auto help = help_or_parse(args, options, usage, {"manifest"})) return *help;
  command.image_inputs = to_image_input_policy(image_inputs);
  command.manifest = manifest;
  command.plan = plan;
  if (task >= 0) command.task = task;
  return command;
}

Command parse_run(const std::vector<std::string>& args) {
  po::options_description options("run options");
  RunCommand command;
  std::string manifest, log_json, pretrained, checkpoint;
  options.add_options()
      ("help,h", "show this help")
      ("manifest", po::value<std::string>(&manifest)->required(), "study manifest (TOML)")
      ("checkpoint", po::value<std::string>(&checkpoint),
       "evaluate this trained state instead of training: a kdad checkpoint folder or an official checkpoint file; "
       "{category} and {seed} are filled per cell")
      ("pretrained", po::value<std::string>(&pretrained), "imagenet|none: override every method's pretrained option")
      ("device", po::value<std::string>(&command.device),
       "cpu, cuda or cuda:N instead of the manifest's device (workers sharing a grid: one per GPU)")
      ("resume", po::bool_switch(&command.resume), "skip cells already finished in the store")
      ("fail-fast", po::bool_switch(&command.fail_fast), "stop at the first failed cell")
      ("dry-run", po::bool_switch(&command.dry_run), "print the grid (with stored status) and stop")
      ("calibrate", po::bool_switch(&command.calibrate),
       "time a fixed torch workload first and store it with the run (kdad compare then compares speeds as ratios to it)")
      ("log-json", po::value<std::string>(&log_json), "append one JSON event per line to this file");
  ImageInputText image_inputs;
  add_image_input_options(options, image_inputs);
  const std::string usage =
      "usage: kdad run MANIFEST [--resume] [--fail-fast] [--dry-run] [--device D] [--checkpoint PATTERN] [--log-json FILE]";
  if (auto help = help_or_parse(args, options, usage, {"manifest"})) return *help;
  command.image_inputs = to_image_input_policy(image_inputs);
  command.manifest = manifest;
  if (!log_json.empty()) command.log_json = log_json;
  add_forced_pretrained(pretrained, command.forced_options);
  if (!checkpoint.empty()) command.checkpoint = std::filesystem::absolute(checkpoint).lexically_normal().string();
  if (!command.device.empty() && !is_device_name(command.device)) {
    throw UsageError("--device", fmt::format("'{}' is not cpu, cuda or cuda:N", command.device));
  }
  return command;
}

}  // namespace kdad::harness
