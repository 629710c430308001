// `kdad eval`: exact metrics of anomaly maps in the MVTec evaluation layout, optionally stored.
#pragma once

#include "harness/cli/commands.h"

#include <ostream>
#include <string>

namespace kdad::harness {

/// Checks every input before computing anything, evaluates one category at a time (memory stays
/// bounded by the largest category), prints a table or JSON to `out`, and records each category
/// as one cell in the store when asked. Returns the exit code (0); errors throw kdad::Error.
int run_eval(const EvalCommand& command, const std::string& command_line, std::ostream& out);

}  // namespace kdad::harness
