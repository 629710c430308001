// `kdad bench`: Google Benchmark runs of kdad's speed-critical paths.
#pragma once

#include "harness/commands.h"

#include <ostream>

namespace kdad::harness {

/// Registers the benchmarks and runs them with the pass-through Google Benchmark flags.
/// Returns 0, or 2 when a flag is not understood.
int run_bench(const BenchCommand& command, std::ostream& out);

}  // namespace kdad::harness
