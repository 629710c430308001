// `kdad report`, `kdad table` and `kdad compare`: what people read, paste and gate on, from results databases.
#pragma once

#include "harness/cli/commands.h"

#include <ostream>

namespace kdad::harness {

/// Renders the HTML report of the selected cells and writes it (whole, or not at all) to the
/// command's file; prints its path. Returns the exit code.
int run_report(const ReportCommand& command, std::ostream& out);

/// Prints the table, or writes it to the command's file. Returns the exit code.
int run_table(const TableCommand& command, std::ostream& out);

/// Compares candidate with baseline, prints Markdown or JSON; 0 without regression, 1 with one.
int run_compare(const CompareCommand& command, std::ostream& out);

}  // namespace kdad::harness
