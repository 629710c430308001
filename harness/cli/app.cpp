// Dispatch from typed commands to their implementations.
#include "harness/cli/app.h"

#include "core/build_info.h"
#include "datasets/image_io.h"
#include "datasets/mvtec_ad.h"
#include "harness/cli/allocator_choice.h"
#include "harness/bench/bench_command.h"
#include "harness/cli/datasets_command.h"
#include "harness/cli/cli.h"
#include "harness/scoring/eval_command.h"
#include "harness/study/manifest.h"
#include "harness/cli/methods_command.h"
#include "harness/report/report_command.h"
#include "harness/study/merge_command.h"
#include "harness/study/slurm_plan.h"
#include "harness/study/provenance.h"
#include "harness/study/reproduce.h"
#include "harness/study/run_command.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <iostream>

namespace kdad::harness {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

int run_make_synthetic(const MakeSyntheticCommand& command, std::ostream& out) {
  datasets::make_synthetic_dataset(command.root, command.spec);
  fmt::print(out, "wrote synthetic MVTec-layout dataset to {} ({} categories: {})\n", command.root.string(),
             command.spec.categories.size(), fmt::join(command.spec.categories, ", "));
  if (command.maps_root) {
    const datasets::MvtecAd dataset(command.root);
    datasets::write_simulated_maps(dataset, command.spec.categories, *command.maps_root, command.maps);
    fmt::print(out, "wrote simulated detector maps (strength {}) to {}\n", command.maps.strength,
               command.maps_root->string());
  }
  return 0;
}

int run_version(const methods::MethodRegistry& registry, std::ostream& out) {
  const BuildInfo build = build_info();
  fmt::print(out, "kdad {} ({}{}, {}, {})\nlibraries: {}\n", build.version, build.git_sha,
             build.git_dirty ? "-dirty" : "", build.compiler, build.build_type, library_versions_json(registry.library_versions()));
  return 0;
}

}  // namespace

int run_invocation(const Invocation& invocation, const methods::MethodRegistry& registry, std::ostream& out) {
  std::visit(
      [](const auto& command) {
        if constexpr (requires { command.image_inputs; }) datasets::apply_image_input_policy(command.image_inputs);
      },
      invocation.command);
  return std::visit(
      Overloaded{
          [&](const EvalCommand& c) { return run_eval(c, invocation.command_line, out); },
          [&](const RunCommand& c) { return run_study_command(c, registry, invocation.command_line, out); },
          [&](const ReproduceCommand& c) { return run_reproduce(c, registry, out); },
          [&](const ReportCommand& c) { return run_report(c, out); },
          [&](const TableCommand& c) { return run_table(c, out); },
          [&](const CompareCommand& c) { return run_compare(c, out); },
          [&](const MergeCommand& c) { return run_merge(c, out); },
          [&](const PlanCommand& c) { return run_plan(c, registry, invocation.command_line, out); },
          [&](const RunCellCommand& c) { return run_plan_task(c, registry, invocation.command_line, out); },
          [&](const MethodsCommand&) { return print_methods(registry, out); },
          [&](const MakeSyntheticCommand& c) { return run_make_synthetic(c, out); },
          [&](const VerifyDatasetCommand& c) { return run_verify(c, out); },
          [&](const ListFormatsCommand&) { return run_list_formats(out); },
          [&](const BenchCommand& c) { return run_bench(c, registry, out); },
          [&](const VersionCommand&) { return run_version(registry, out); },
          [&](const HelpCommand& c) {
            out << c.text;
            return 0;
          },
      },
      invocation.command);
}

}  // namespace kdad::harness

namespace kdad::harness {

bool needs_methods(const Command& command) {
  return std::holds_alternative<RunCommand>(command) || std::holds_alternative<ReproduceCommand>(command) ||
         std::holds_alternative<PlanCommand>(command) || std::holds_alternative<RunCellCommand>(command) ||
         std::holds_alternative<MethodsCommand>(command) || std::holds_alternative<BenchCommand>(command);
}

int kdad_main(int argc, const char* const* argv, const std::function<void(methods::MethodRegistry&)>& register_methods,
              const MethodsDelegate& delegate) {
  try {
    allocator_choice();  // a bad KDAD_ALLOCATOR is refused before any work
    const Invocation invocation = parse_command_line(argc, argv);
    if (delegate && needs_methods(invocation.command)) return delegate(argc, argv);
    methods::MethodRegistry registry;
    register_methods(registry);
    return run_invocation(invocation, registry, std::cout);
  } catch (const ManifestError& error) {
    for (const auto& problem : error.problems()) std::cerr << "kdad: error: " << problem << "\n";
    return error.exit_code();
  } catch (const Error& error) {
    std::cerr << "kdad: error: " << error.what() << "\n";
    return error.exit_code();
  } catch (const std::filesystem::filesystem_error& error) {
    // A file system call kdad did not guard: still about the user's files, so a data error naming the path.
    const std::string path = error.path1().empty() ? std::string("file system") : error.path1().string();
    std::cerr << "kdad: error: " << path << ": " << error.code().message() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "kdad: internal error: " << error.what() << "\n";
    return 3;
  }
}

}  // namespace kdad::harness
