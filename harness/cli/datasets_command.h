// `kdad datasets verify` and `kdad datasets formats`.
#pragma once

#include "harness/cli/commands.h"

#include <ostream>

namespace kdad::harness {

/// Prints the verification report (table or JSON); returns 0 when the layout is sound, 2 otherwise.
int run_verify(const VerifyDatasetCommand& command, std::ostream& out);

/// Prints the dataset formats with one line each; returns 0.
int run_list_formats(std::ostream& out);

}  // namespace kdad::harness
