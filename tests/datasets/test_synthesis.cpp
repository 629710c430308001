// Anomaly synthesis: determinism per (seed, sample, epoch), exact masks, recipe-specific rules.
#include "core/error.h"
#include "core/rng.h"
#include "datasets/cutpaste_synthesis.h"
#include "datasets/draem_synthesis.h"
#include "datasets/nsa_synthesis.h"
#include "datasets/perlin.h"
#include "datasets/synthetic.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace kdad;
using namespace kdad::datasets;

namespace {

cv::Mat normal_image(const std::string& category, int size, std::uint64_t seed) {
  Rng rng(seed);
  return render_normal(category, size, rng);
}

// The mask is exact: 1 exactly where image and clean differ in some channel.
void check_exact(const SynthesisResult& r) {
  REQUIRE(r.mask.type() == CV_8UC1);
  REQUIRE(r.mask.size() == r.image.size());
  cv::Mat diff;
  cv::absdiff(r.image, r.clean, diff);
  if (diff.channels() > 1) cv::transform(diff, diff, cv::Matx13f(1, 1, 1));
  CHECK(cv::countNonZero((diff != 0) != (r.mask != 0)) == 0);
  CHECK(r.anomalous == (cv::countNonZero(r.mask) > 0));
}

bool same(const cv::Mat& a, const cv::Mat& b) { return a.size() == b.size() && cv::norm(a, b, cv::NORM_INF) == 0; }

}  // namespace

TEST_CASE("every recipe is deterministic per seed and sample and exact in its mask", "[datasets][synthesis]") {
  test::TempDir dir;
  for (int i = 0; i < 3; ++i) cv::imwrite((dir / ("t" + std::to_string(i) + ".jpg")).string(), normal_image("weave", 64, 90 + i));
  std::vector<std::unique_ptr<AnomalySynthesizer>> recipes;
  recipes.push_back(std::make_unique<NsaSynthesizer>(*mrkd_nsa_settings("carpet")));
  recipes.push_back(std::make_unique<DraemSynthesizer>(DraemSettings{}));
  DraemSettings with_textures;
  with_textures.texture_folder = dir.path();
  recipes.push_back(std::make_unique<DraemSynthesizer>(with_textures));
  recipes.push_back(std::make_unique<CutPasteSynthesizer>());
  for (const auto& recipe : recipes) {
    for (const std::string category : {"weave", "speckle"}) {
      const cv::Mat image = normal_image(category, 128, 3);
      int anomalous = 0;
      for (std::uint64_t epoch = 0; epoch < 12; ++epoch) {
        INFO(recipe->canonical_options() << " " << category << " epoch " << epoch);
        Rng a = synthesis_rng(7, "cat/train/good/000", epoch);
        Rng b = synthesis_rng(7, "cat/train/good/000", epoch);
        const SynthesisResult first = recipe->synthesize(image, a);
        const SynthesisResult second = recipe->synthesize(image, b);
        CHECK(same(first.image, second.image));
        CHECK(same(first.mask, second.mask));
        check_exact(first);
        anomalous += first.anomalous ? 1 : 0;
      }
      CHECK(anomalous >= 3);  // the recipes do forge anomalies (DRAEM returns clean samples half the time)
    }
    // Different samples get different streams (checked over a few epochs: DRAEM may return clean).
    const cv::Mat image = normal_image("weave", 128, 4);
    bool differ = false;
    for (std::uint64_t epoch = 0; epoch < 6 && !differ; ++epoch) {
      Rng x = synthesis_rng(7, "a", epoch), y = synthesis_rng(7, "b", epoch);
      differ = !same(recipe->synthesize(image, x).image, recipe->synthesize(image, y).image);
    }
    CHECK(differ);
  }
}

TEST_CASE("NSA follows MRKD's table: toothbrush patches are 6x6 at 256 and background classes skip background", "[datasets][synthesis]") {
  const auto toothbrush = mrkd_nsa_settings("toothbrush");
  REQUIRE(toothbrush.has_value());
  CHECK(toothbrush->max_patches == 1);
  CHECK_FALSE(mrkd_nsa_settings("weave").has_value());
  NsaSettings no_background = *toothbrush;
  no_background.background.reset();
  const NsaSynthesizer small(no_background);
  const cv::Mat image = normal_image("weave", 256, 5);
  int forged = 0;
  for (std::uint64_t epoch = 0; epoch < 5; ++epoch) {
    Rng rng = synthesis_rng(1, "x", epoch);
    const auto result = small.synthesize(image, rng);
    if (!result.anomalous) continue;
    ++forged;
    const cv::Rect box = cv::boundingRect(result.mask);
    CHECK(box.width <= 6);
    CHECK(box.height <= 6);
  }
  CHECK(forged >= 3);  // the size check ran on forged patches
  // A bright, featureless image has no object for a class whose background is light (200, 60):
  // NSA finds no source patch on an object and forges nothing.
  const NsaSynthesizer bottle(*mrkd_nsa_settings("bottle"));
  const cv::Mat blank(256, 256, CV_8UC3, cv::Scalar(230, 230, 230));
  Rng rng = synthesis_rng(1, "blank", 0);
  CHECK_FALSE(bottle.synthesize(blank, rng).anomalous);
}

TEST_CASE("NSA's object mask is |mean - background| > threshold after a 7x7 median", "[datasets][synthesis]") {
  cv::Mat image(32, 32, CV_8UC3, cv::Scalar(210, 210, 210));
  image(cv::Rect(8, 8, 16, 16)) = cv::Scalar(50, 60, 70);  // dark object on a light background
  image.at<cv::Vec3b>(0, 0) = cv::Vec3b(0, 0, 0);           // an isolated speck the median removes
  const cv::Mat object = nsa_object_mask(image, 200, 60);
  CHECK(object.at<uchar>(16, 16) == 1);
  CHECK(object.at<uchar>(0, 0) == 0);
  CHECK(object.at<uchar>(2, 30) == 0);
  CHECK(cv::countNonZero(object) > 200);
}

TEST_CASE("Perlin noise is deterministic, bounded and smooth", "[datasets][synthesis]") {
  Rng a(3), b(3);
  const cv::Mat n1 = perlin_noise(64, 64, 4, 8, a);
  const cv::Mat n2 = perlin_noise(64, 64, 4, 8, b);
  CHECK(same(n1, n2));
  double lo = 0, hi = 0;
  cv::minMaxLoc(n1, &lo, &hi);
  CHECK(lo >= -1.5);
  CHECK(hi <= 1.5);
  CHECK(hi - lo > 0.3);
  CHECK(n1.at<double>(0, 0) == 0.0);  // lattice points are zero crossings
  Rng c(4);
  CHECK_THROWS_AS(perlin_noise(60, 64, 8, 8, c), InternalError);
}

TEST_CASE("DRAEM refuses a texture folder without images", "[datasets][synthesis]") {
  test::TempDir dir;
  DraemSettings settings;
  settings.texture_folder = dir.path();
  CHECK_THROWS_AS(DraemSynthesizer(settings), ConfigError);
  settings.texture_folder = dir / "missing";
  CHECK_THROWS_AS(DraemSynthesizer(settings), ConfigError);
}
