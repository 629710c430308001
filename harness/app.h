// Runs a parsed invocation: the dispatch from typed commands to their implementations.
#pragma once

#include "harness/commands.h"

#include <ostream>

namespace kdad::harness {

/// Runs the command, printing results to `out`; returns the exit code. Errors throw kdad::Error.
int run_invocation(const Invocation& invocation, std::ostream& out);

}  // namespace kdad::harness
