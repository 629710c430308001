// `kdad bench`: registers kdad's benchmarks explicitly and hands control to Google Benchmark.
#include "harness/bench/bench_command.h"

#include "core/parallel.h"
#include "harness/bench/loader_benchmarks.h"
#include "harness/bench/metric_benchmarks.h"
#include "harness/bench/metric_fixtures.h"
#include "harness/bench/method_benchmarks.h"
#include "metrics/pixel_sweep.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <string>

namespace kdad::harness {

int run_bench(const BenchCommand& command, const methods::MethodRegistry& registry, std::ostream& out) {
  MetricFixtures fixtures;
  if (command.dump_pixels) {
    const auto& images = fixtures.get(100, 256);
    dump_pixels(images, *command.dump_pixels);
    const auto pixel = metrics::sweep_pixels(images, {0.3, hardware_threads(), 1e-3, {}}).ranking;
    fmt::print(out, "wrote the 100x256x256 benchmark pixels to {}\nkdad: pixel_auroc {:.12f} pixel_ap {:.12f}\n",
               command.dump_pixels->string(), *pixel.auroc, *pixel.ap);
    return 0;
  }
  LoaderFixture loader_fixture;
  register_metric_benchmarks(fixtures);
  register_loader_benchmarks(loader_fixture);
  register_method_benchmarks(registry, loader_fixture);
  std::vector<std::string> args = {"kdad bench"};
  args.insert(args.end(), command.args.begin(), command.args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  if (benchmark::ReportUnrecognizedArguments(argc, argv.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::ClearRegisteredBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace kdad::harness
