// Benchmarks of the methods through the Method interface.
#include "harness/bench/method_benchmarks.h"

#include "core/parallel.h"
#include "datasets/mvtec_ad.h"
#include "harness/cli/allocator_choice.h"
#include "harness/bench/bench_support.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace kdad::harness {
namespace {

// Collects every training step the method reports: its compute time, and the wall time since the
// previous step (which also covers waiting for the loader).
class StepTimes final : public methods::ProgressSink {
 public:
  void report(const methods::ProgressEvent& event) override {
    if (event.phase != "fit" || event.images_per_second <= 0) return;
    seconds_.push_back(1.0 / event.images_per_second);
    const auto now = std::chrono::steady_clock::now();
    if (last_) wall_.push_back(std::chrono::duration<double>(now - *last_).count());
    last_ = now;
  }
  /// Median wall seconds between consecutive steps after the first two.
  double steady_wall_median() const {
    std::vector<double> steady(wall_.begin() + std::min<std::ptrdiff_t>(1, static_cast<std::ptrdiff_t>(wall_.size())), wall_.end());
    std::sort(steady.begin(), steady.end());
    return steady.empty() ? 0.0 : steady[steady.size() / 2];
  }
  /// Median seconds per image over the steps after the first two (allocator and caches warm up).
  double steady_median() const {
    std::vector<double> steady(seconds_.begin() + std::min<std::ptrdiff_t>(2, static_cast<std::ptrdiff_t>(seconds_.size()) - 1),
                               seconds_.end());
    std::sort(steady.begin(), steady.end());
    return steady.empty() ? 0.0 : steady[steady.size() / 2];
  }

 private:
  std::vector<double> seconds_;
  std::vector<double> wall_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

// Seed 0, every core, the CPU, and the allocator a run would use.
methods::CellEnvironment bench_environment() {
  return {0, hardware_threads(), "cpu", true, allocator_choice() == AllocatorChoice::caching};
}

// The values of `entry`'s test-time option whose cost differs by orders of magnitude (MKD's
// localization), each benchmarked on its own; {""} when it has none.
std::vector<std::string> localization_variants(const methods::MethodEntry& entry) {
  for (const auto& option : entry.options) {
    if (option.name == "localization") return {"gradients", "gbp", "smooth_grad"};
  }
  return {""};
}

}  // namespace

void register_method_benchmarks(const methods::MethodRegistry& registry, LoaderFixture& fixture) {
  for (const auto& entry : registry.entries()) {
    const std::string size = registry.resolve(entry.id, "paper", {}).text("image_size");  // the paper's working size
    for (const int batch : {4, 16}) {
      benchmark::RegisterBenchmark(
          fmt::format("methods/{}/fit_step/{}/batch:{}", entry.id, size, batch).c_str(),
          [&registry, &fixture, id = entry.id, batch](benchmark::State& state) {
            const datasets::MvtecAd dataset(fixture.root());
            auto split = dataset.split("weave");
            constexpr int kSteps = 6;
            split.train.resize(static_cast<std::size_t>(kSteps * batch));
            const auto options = registry.resolve(id, "paper", {{"pretrained", "none"}, {"epochs", "1"},
                                                                {"batch_size", std::to_string(batch)}});
            registry.apply_environment(bench_environment());
            StepTimes steps;
            measure_iterations(state, kSteps, [&] {
              auto method = registry.create(id, options);
              methods::FitContext context;
              context.threads = hardware_threads();
              context.progress = &steps;
              method->fit({dataset, split.train, "weave"}, context);
            });
            // Steady state: the median step after the first two, excluding network construction.
            const double step_seconds = steps.steady_median() * batch;
            state.counters["s_per_step"] = step_seconds;
            state.counters["steps_per_s"] = 1.0 / step_seconds;
            state.counters["train_images_per_s"] = batch / step_seconds;
            state.counters["s_per_step_wall"] = steps.steady_wall_median();  // including any wait for data
          })
          ->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
    }
    for (const std::string& variant : localization_variants(entry)) {
    for (const int batch : {1, 4}) {
      const std::string name = variant.empty() ? fmt::format("methods/{}/predict/{}/batch:{}", entry.id, size, batch)
                                               : fmt::format("methods/{}/predict_{}/{}/batch:{}", entry.id, variant, size, batch);
      benchmark::RegisterBenchmark(
          name.c_str(),
          [&registry, &fixture, id = entry.id, batch, variant](benchmark::State& state) {
            const datasets::MvtecAd dataset(fixture.root());
            auto split = dataset.split("weave");
            split.train.resize(2);
            std::map<std::string, std::string> overrides = {{"pretrained", "none"}, {"epochs", "1"}, {"batch_size", "2"}};
            if (!variant.empty()) overrides["localization"] = variant;
            const auto options = registry.resolve(id, "paper", overrides);
            registry.apply_environment(bench_environment());
            auto method = registry.create(id, options);
            methods::FitContext context;
            context.threads = hardware_threads();
            method->fit({dataset, split.train, "weave"}, context);
            std::vector<Sample> samples;
            for (int i = 0; i < batch; ++i) samples.push_back(dataset.load(split.test[static_cast<std::size_t>(i)]));
            method->predict(samples);  // warm-up
            measure_iterations(state, static_cast<std::uint64_t>(batch), [&] { benchmark::DoNotOptimize(method->predict(samples)); });
          })
          ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);
    }
    }
  }
}

}  // namespace kdad::harness
