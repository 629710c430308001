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

/// True for the commands that train or run methods (run, plan, run-cell, reproduce, methods, bench): the light
/// `kdad` hands these to `kdad-torch`; every other command runs without LibTorch.
bool needs_methods(const Command& command);

/// Runs a command that needs methods in another process (the light `kdad` execs `kdad-torch`
/// with the same argv); returns an exit code only when it could not.
using MethodsDelegate = std::function<int(int argc, const char* const* argv)>;

/// The whole program: parses argv, fills a registry with `register_methods`, runs the command on
/// std::cout, and turns errors into "kdad: error: ..." lines on std::cerr and the exit code
/// (ManifestError: one line per problem). With a `delegate`, a command for which needs_methods()
/// holds is handed to it after parsing (so usage errors are still reported here, at once).
int kdad_main(int argc, const char* const* argv, const std::function<void(methods::MethodRegistry&)>& register_methods,
              const MethodsDelegate& delegate = {});

}  // namespace kdad::harness
