// `kdad bench`: Google Benchmark runs of kdad's speed-critical paths.
#pragma once

#include "harness/cli/commands.h"
#include "methods/registry.h"

#include <ostream>

namespace kdad::harness {

/// Registers the benchmarks (metrics, loader, and every method of `registry`) and runs them with the pass-through Google Benchmark flags.
/// Returns 0, or 2 when a flag is not understood.
int run_bench(const BenchCommand& command, const methods::MethodRegistry& registry, std::ostream& out);

}  // namespace kdad::harness
