// `kdad run MANIFEST`: reads the manifest (all problems at once), then runs the study.
#pragma once

#include "harness/cli/commands.h"
#include "methods/registry.h"

#include <ostream>
#include <string>

namespace kdad::harness {

/// Exit code 0 when every cell finished ok, 1 when some failed; manifest problems throw
/// ManifestError (exit 2) before anything runs.
int run_study_command(const RunCommand& command, const methods::MethodRegistry& registry,
                      const std::string& command_line, std::ostream& out);

}  // namespace kdad::harness
