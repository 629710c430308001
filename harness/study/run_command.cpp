// `kdad run MANIFEST`.
#include "harness/study/run_command.h"

#include "harness/study/manifest.h"
#include "harness/study/runner.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <iostream>
#include <unistd.h>

namespace kdad::harness {

int run_study_command(const RunCommand& command, const methods::MethodRegistry& registry,
                      const std::string& command_line, std::ostream& out) {
  const Manifest manifest = read_manifest(command.manifest, registry, command.forced_options, command.checkpoint, command.device);
  if (!manifest.requires_note.empty()) fmt::print(out, "this study needs: {}\n", manifest.requires_note);
  RunOptions options;
  options.resume = command.resume;
  options.fail_fast = command.fail_fast;
  options.dry_run = command.dry_run;
  options.calibrate = command.calibrate;
  options.log_json = command.log_json;
  options.terminal = &out == &std::cout && isatty(STDOUT_FILENO) == 1;
  const RunSummary summary = run_study(manifest, registry, options, command_line, out);
  return summary.failed == 0 ? 0 : 1;
}

}  // namespace kdad::harness
