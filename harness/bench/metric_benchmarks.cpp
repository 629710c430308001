// Benchmarks of the evaluation metrics at MVTec AD sizes.
#include "harness/bench/metric_benchmarks.h"

#include "core/parallel.h"
#include "harness/bench/bench_support.h"
#include "harness/bench/metric_fixtures.h"
#include "metrics/evaluation.h"
#include "metrics/pixel_sweep.h"

#include <fmt/format.h>

#include <set>

namespace kdad::harness {

const std::vector<metrics::ScoredImage>& MetricFixtures::get(int images, int side) {
  auto& slot = cache_[{images, side}];
  if (!slot) slot = std::make_unique<std::vector<metrics::ScoredImage>>(make_metric_fixture(images, side, 7));
  return *slot;
}

void register_metric_benchmarks(MetricFixtures& fixtures) {
  struct Size {
    int images;
    int side;
    const char* label;
  };
  const Size sizes[] = {{100, 256, "100x256x256"}, {1725, 256, "mvtec_test_1725x256x256"},
                        {160, 1024, "mvtec_category_160x1024x1024"}};
  const std::set<int> thread_counts = {1, hardware_threads()};
  for (const Size& size : sizes) {
    const std::uint64_t pixels = static_cast<std::uint64_t>(size.images) * size.side * size.side;
    for (int threads : thread_counts) {
      benchmark::RegisterBenchmark(
          fmt::format("metrics/all/{}/threads:{}", size.label, threads).c_str(),
          [&fixtures, size, threads, pixels](benchmark::State& state) {
            const auto& images = fixtures.get(size.images, size.side);
            metrics::EvalOptions options;
            options.threads = threads;
            measure_iterations(state, pixels, [&] { benchmark::DoNotOptimize(metrics::evaluate_category(images, options)); });
            state.counters["extra_B_per_px"] = state.counters["extra_MiB"] * 1048576.0 / static_cast<double>(pixels);
          })
          ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
      benchmark::RegisterBenchmark(
          fmt::format("metrics/pixel_auroc_ap_f1_aupro/{}/threads:{}", size.label, threads).c_str(),
          [&fixtures, size, threads, pixels](benchmark::State& state) {
            const auto& images = fixtures.get(size.images, size.side);
            measure_iterations(state, pixels, [&] { benchmark::DoNotOptimize(metrics::sweep_pixels(images, {0.3, threads, 1e-3, {}})); });
            state.counters["extra_B_per_px"] = state.counters["extra_MiB"] * 1048576.0 / static_cast<double>(pixels);
          })
          ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
    }
  }
}

}  // namespace kdad::harness
