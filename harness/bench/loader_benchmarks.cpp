// Benchmarks of the training input pipeline.
#include "harness/bench/loader_benchmarks.h"

#include "core/parallel.h"
#include "datasets/loader.h"
#include "datasets/mvtec_ad.h"
#include "datasets/nsa_synthesis.h"
#include "datasets/synthetic.h"
#include "harness/bench/bench_support.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <random>
#include <set>

namespace kdad::harness {
namespace fs = std::filesystem;

LoaderFixture::~LoaderFixture() {
  std::error_code ec;
  if (!root_.empty()) fs::remove_all(root_, ec);
}

const fs::path& LoaderFixture::root() {
  if (root_.empty()) {
    std::random_device device;
    root_ = fs::temp_directory_path() / fmt::format("kdad-bench-{:08x}", device());
    datasets::SyntheticSpec spec;
    spec.categories = {"weave"};
    spec.image_size = 256;
    spec.train_images = 128;
    datasets::make_synthetic_dataset(root_, spec);
  }
  return root_;
}

void register_loader_benchmarks(LoaderFixture& fixture) {
  const std::set<int> thread_counts = {0, 1, hardware_threads()};
  for (const bool synthesis : {false, true}) {
    for (int threads : thread_counts) {
      benchmark::RegisterBenchmark(
          fmt::format("loader/png256/{}/threads:{}", synthesis ? "nsa" : "plain", threads).c_str(),
          [&fixture, synthesis, threads](benchmark::State& state) {
            const datasets::MvtecAd dataset(fixture.root());
            const auto split = dataset.split("weave");
            datasets::PreprocessSpec spec;
            std::shared_ptr<const datasets::AnomalySynthesizer> synthesizer;
            if (synthesis) synthesizer = std::make_shared<datasets::NsaSynthesizer>(*datasets::mrkd_nsa_settings("carpet"));
            const auto transform = datasets::make_standard_transform(spec, synthesizer);
            std::uint64_t epoch = 0;
            measure_iterations(state, split.train.size(), [&] {
              datasets::LoaderOptions options;
              options.threads = threads;
              options.shuffle = true;
              options.epoch = epoch++;
              datasets::BatchLoader loader(dataset, split.train, transform, options);
              while (auto batch = loader.next()) benchmark::DoNotOptimize(batch->front().image.data.data());
            });
          })
          ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
    }
  }
}

}  // namespace kdad::harness
