// The job-array script of `kdad plan --slurm`: every option as an #SBATCH line, the task command quoted.
#include "harness/study/slurm_plan.h"

#include <catch2/catch.hpp>

using namespace kdad::harness;
using Catch::Matchers::Contains;

TEST_CASE("the Slurm script carries every option and runs the task's cells", "[harness][slurm]") {
  SlurmOptions options;
  options.partition = "gpu";
  options.account = "lab";
  options.time_limit = "1-00:00:00";
  options.memory = "32G";
  options.gpus = 1;
  options.cpus = 8;
  options.throttle = 4;
  options.extra = {"--qos=long"};
  const std::string script = slurm_script(options, "kdad-abc", 60, "/opt/kdad/kdad", "/home/me/my study.toml", "/scratch/plan",
                                          "# header\n");
  CHECK(script.rfind("#!/bin/bash\n", 0) == 0);
  for (const char* line : {"#SBATCH --job-name=kdad-abc\n", "#SBATCH --array=0-59%4\n", "#SBATCH --output=/scratch/plan/logs/%x-%A_%a.out\n",
                           "#SBATCH --partition=gpu\n", "#SBATCH --account=lab\n", "#SBATCH --time=1-00:00:00\n", "#SBATCH --mem=32G\n",
                           "#SBATCH --gres=gpu:1\n", "#SBATCH --cpus-per-task=8\n", "#SBATCH --qos=long\n", "# header\n"}) {
    CHECK_THAT(script, Contains(line));
  }
  // Only the path with a space needs quotes.
  CHECK_THAT(script, Contains("exec /opt/kdad/kdad run-cell '/home/me/my study.toml' --plan /scratch/plan --task \"${SLURM_ARRAY_TASK_ID}\"\n"));
  // Unset options are left to the cluster's defaults.
  const std::string plain = slurm_script(SlurmOptions{}, "j", 1, "k", "m", "p", "");
  CHECK_THAT(plain, Contains("#SBATCH --array=0-0\n"));
  CHECK(plain.find("--partition") == std::string::npos);
  CHECK(plain.find("--gres") == std::string::npos);
}
