// `kdad reproduce DB CELL`: one stored cell re-run from its record (method and options, dataset
// and its fingerprint, category, seed, protocol, checkpoint), with old and new values side by side.
#pragma once

#include "harness/cli/commands.h"
#include "methods/registry.h"

#include <ostream>

namespace kdad::harness {

/// Re-runs the cell and prints each metric and the image scores, old beside new. Returns 0 when
/// every value agrees within the tolerance, 1 otherwise. Throws UsageError for an unknown or
/// ambiguous cell, ConfigError when the code version, the protocol's metrics version or the
/// dataset fingerprint differs from the record (unless `force`), DataError for unreadable data.
/// Nothing is written to the database.
int run_reproduce(const ReproduceCommand& command, const methods::MethodRegistry& registry, std::ostream& out);

}  // namespace kdad::harness
