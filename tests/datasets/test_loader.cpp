// The batch loader: identical batches for any thread count, per-epoch order, errors in order.
#include "core/error.h"
#include "datasets/loader.h"
#include "datasets/mvtec_ad.h"
#include "datasets/nsa_synthesis.h"
#include "datasets/synthetic.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>

#include <fstream>

using namespace kdad;
using namespace kdad::datasets;
using Catch::Matchers::Contains;

namespace {

struct Fixture {
  test::TempDir dir;
  std::unique_ptr<MvtecAd> dataset;
  CategorySplit split;
  Fixture() {
    make_synthetic_dataset(dir / "d", {{"weave"}, 64, 11, 1, 1, 0});  // side, train, good, per defect, seed
    dataset = std::make_unique<MvtecAd>(dir / "d");
    split = dataset->split("weave");
  }
};

std::vector<PreparedSample> epoch(const Fixture& f, int threads, std::uint64_t epoch_index, bool synthesis) {
  PreprocessSpec spec;
  spec.size = {48, 48};
  std::shared_ptr<const AnomalySynthesizer> synthesizer;
  if (synthesis) synthesizer = std::make_shared<NsaSynthesizer>(*mrkd_nsa_settings("carpet"));
  LoaderOptions options;
  options.batch_size = 4;
  options.threads = threads;
  options.shuffle = true;
  options.seed = 9;
  options.epoch = epoch_index;
  BatchLoader loader(*f.dataset, f.split.train, make_standard_transform(spec, synthesizer), options);
  CHECK(loader.batch_count() == 3);
  std::vector<PreparedSample> all;
  while (auto batch = loader.next()) {
    CHECK(batch->size() <= 4);
    for (auto& s : *batch) all.push_back(std::move(s));
  }
  return all;
}

}  // namespace

TEST_CASE("the loader gives the same samples in the same order for 0, 1 and 2 threads", "[datasets][loader]") {
  Fixture f;
  const auto reference = epoch(f, 0, 0, true);
  REQUIRE(reference.size() == 11);
  for (int threads : {1, 2}) {
    const auto other = epoch(f, threads, 0, true);
    REQUIRE(other.size() == reference.size());
    for (std::size_t i = 0; i < other.size(); ++i) {
      CHECK(other[i].id == reference[i].id);
      CHECK(other[i].image.data == reference[i].image.data);
      CHECK(cv::countNonZero(other[i].mask != reference[i].mask) == 0);
    }
  }
  CHECK(reference[0].image.data.size() == 3u * 48 * 48);
  CHECK(reference[0].clean.data.size() == 3u * 48 * 48);
}

TEST_CASE("each epoch has its own order and its own synthesis", "[datasets][loader]") {
  Fixture f;
  const auto first = epoch(f, 2, 0, true);
  const auto second = epoch(f, 2, 1, true);
  std::vector<std::string> a, b;
  for (const auto& s : first) a.push_back(s.id);
  for (const auto& s : second) b.push_back(s.id);
  CHECK(a != b);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);  // a permutation of the same samples
}

TEST_CASE("a sample that fails to load is reported at its turn with its file", "[datasets][loader]") {
  Fixture f;
  std::ofstream(f.split.train[6].image, std::ios::binary) << "broken";
  LoaderOptions options;
  options.batch_size = 4;
  options.threads = 2;
  BatchLoader loader(*f.dataset, f.split.train, make_standard_transform({}, nullptr), options);
  CHECK(loader.next().has_value());
  CHECK_THROWS_WITH(loader.next(), Contains("006.png"));
}

TEST_CASE("without a synthesiser the ground-truth mask follows the image to the network size", "[datasets][loader]") {
  Fixture f;
  PreprocessSpec spec;
  spec.size = {32, 32};
  LoaderOptions options;
  options.batch_size = 16;
  options.drop_last = false;
  BatchLoader loader(*f.dataset, f.split.test, make_standard_transform(spec, nullptr), options);
  const auto batch = loader.next();
  REQUIRE(batch.has_value());
  REQUIRE(batch->size() == f.split.test.size());
  std::size_t anomalous = 0;
  for (const auto& s : *batch) {
    CHECK(s.anomalous == (s.label == Label::anomalous));
    if (s.anomalous) {
      ++anomalous;
      REQUIRE(s.mask.size() == cv::Size(32, 32));
      CHECK(cv::countNonZero(s.mask) > 0);
    }
  }
  CHECK(anomalous > 0);
}
