// The command-line boundary: argv → a typed Invocation (the only place argv is read).
#pragma once

#include "harness/cli/commands.h"

namespace kdad::harness {

/// Parses argv; throws UsageError (one line naming the option or value) on bad input.
Invocation parse_command_line(int argc, const char* const* argv);

}  // namespace kdad::harness
