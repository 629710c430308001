// Runs a parsed invocation: the dispatch from typed commands to their implementations.
#pragma once

#include "harness/cli/commands.h"
#include "methods/registry.h"

#include <functional>
#include <ostream>

namespace kdad::harness {

/// Runs the command with the methods of `registry`, printing results to `out`; returns the exit
/// code. Errors throw kdad::Error.
int run_invocation(const Invocation& invocation, const methods::MethodRegistry& registry, std::ostream& out);

/// The whole program: parses argv, fills a registry with `register_methods`, runs the command on
/// std::cout, and turns errors into "kdad: error: ..." lines on std::cerr and the exit code
/// (ManifestError: one line per problem).
int kdad_main(int argc, const char* const* argv, const std::function<void(methods::MethodRegistry&)>& register_methods);

}  // namespace kdad::harness
