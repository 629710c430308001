// `kdad bench`: registers the metric benchmarks explicitly and hands control to Google Benchmark.
// Peak memory is measured per iteration by resetting the kernel's high-water mark
// (/proc/self/clear_refs, value 5) and reading VmHWM afterwards.
#include "harness/bench/bench_command.h"

#include "core/parallel.h"
#include "harness/bench/metric_fixtures.h"
#include "metrics/evaluation.h"
#include "metrics/pixel_sweep.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>

namespace kdad::harness {
namespace {

// Resident-set figures of this process, bytes (0 when /proc is unavailable).
std::uint64_t proc_status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  }
  return 0;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

struct FixtureKey {
  int images;
  int size;
  auto operator<=>(const FixtureKey&) const = default;
};

// Fixtures are generated on first use and shared by the benchmarks of the same size.
class Fixtures {
 public:
  const std::vector<metrics::ScoredImage>& get(int images, int size) {
    auto& slot = cache_[{images, size}];
    if (!slot) slot = std::make_unique<std::vector<metrics::ScoredImage>>(make_metric_fixture(images, size, 7));
    return *slot;
  }

 private:
  std::map<FixtureKey, std::unique_ptr<std::vector<metrics::ScoredImage>>> cache_;
};

template <class Work>
void measure(benchmark::State& state, const std::vector<metrics::ScoredImage>& images, Work&& work) {
  std::uint64_t pixels = 0;
  for (const auto& image : images) pixels += image.map.total();
  double peak_extra_mib = 0;
  for (auto _ : state) {
    state.PauseTiming();
    reset_peak_rss();
    const std::uint64_t baseline = proc_status_kib("VmRSS");
    state.ResumeTiming();
    work();
    state.PauseTiming();
    const std::uint64_t peak = proc_status_kib("VmHWM");
    peak_extra_mib = std::max(peak_extra_mib, (static_cast<double>(peak) - static_cast<double>(baseline)) / 1024.0);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * pixels));
  state.counters["pixels"] = static_cast<double>(pixels);
  state.counters["extra_MiB"] = peak_extra_mib;
  state.counters["extra_B_per_px"] = peak_extra_mib * 1024.0 * 1024.0 / static_cast<double>(pixels);
  state.counters["peak_rss_MiB"] = static_cast<double>(proc_status_kib("VmHWM")) / 1024.0;
}

void register_metric_benchmarks(Fixtures& fixtures) {
  struct Size {
    int images;
    int side;
    const char* label;
  };
  const Size sizes[] = {{100, 256, "100x256x256"}, {1725, 256, "mvtec_test_1725x256x256"},
                        {160, 1024, "mvtec_category_160x1024x1024"}};
  for (const Size& size : sizes) {
    for (int threads : {1, hardware_threads()}) {
      benchmark::RegisterBenchmark(
          fmt::format("metrics/all/{}/threads:{}", size.label, threads).c_str(),
          [&fixtures, size, threads](benchmark::State& state) {
            const auto& images = fixtures.get(size.images, size.side);
            metrics::EvalOptions options;
            options.threads = threads;
            measure(state, images, [&] { benchmark::DoNotOptimize(metrics::evaluate_category(images, options)); });
          })
          ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
      benchmark::RegisterBenchmark(
          fmt::format("metrics/pixel_auroc_ap_f1_aupro/{}/threads:{}", size.label, threads).c_str(),
          [&fixtures, size, threads](benchmark::State& state) {
            const auto& images = fixtures.get(size.images, size.side);
            measure(state, images, [&] {
              benchmark::DoNotOptimize(metrics::sweep_pixels(images, {0.3, threads, 1e-3}));
            });
          })
          ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
      if (threads == hardware_threads() && threads == 1) break;
    }
  }
}

}  // namespace

int run_bench(const BenchCommand& command, std::ostream& out) {
  Fixtures fixtures;
  if (command.dump_pixels) {
    const auto& images = fixtures.get(100, 256);
    dump_pixels(images, *command.dump_pixels);
    const auto pixel = metrics::sweep_pixels(images, {0.3, hardware_threads(), 1e-3}).ranking;
    fmt::print(out, "wrote the 100x256x256 benchmark pixels to {}\nkdad: pixel_auroc {:.12f} pixel_ap {:.12f}\n",
               command.dump_pixels->string(), *pixel.auroc, *pixel.ap);
    return 0;
  }
  register_metric_benchmarks(fixtures);
  std::vector<std::string> args = {"kdad bench"};
  args.insert(args.end(), command.args.begin(), command.args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  if (benchmark::ReportUnrecognizedArguments(argc, argv.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace kdad::harness
