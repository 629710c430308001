// Metric cases whose answers are known by hand: perfect, inverted, ties, constant maps, region
// shapes, empty masks, undefined metrics and bad inputs.
#include "core/error.h"
#include "metrics/evaluation.h"
#include "metrics/score_key.h"
#include "metric_test_helpers.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace kdad;
using Catch::Matchers::Contains;

namespace {

// A 4×4 image: defect = the given mask, map = the given values.
metrics::ScoredImage image4(const std::string& id, const std::vector<float>& map, const std::vector<int>& mask,
                            Label label) {
  return test::scored_image(id, 4, 4, map, mask, label);
}

std::vector<float> constant(float v) { return std::vector<float>(16, v); }
std::vector<int> no_defect() { return std::vector<int>(16, 0); }

// Defect in the top-left 2×2 block.
std::vector<int> square_mask() {
  return {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
}

metrics::CategoryMetrics evaluate(const std::vector<metrics::ScoredImage>& images, double limit = 0.3) {
  metrics::EvalOptions options;
  options.pro_limit = limit;
  return metrics::evaluate_category(images, options);
}

}  // namespace

TEST_CASE("a perfect map scores 1 everywhere", "[metrics]") {
  std::vector<float> map(16, 0.1f);
  for (int i : {0, 1, 4, 5}) map[static_cast<std::size_t>(i)] = 0.9f;
  const auto m = evaluate({image4("a", map, square_mask(), Label::anomalous), image4("n", constant(0.1f), no_defect(), Label::normal)});
  CHECK(*m.pixel.auroc == 1.0);
  CHECK(*m.pixel.ap == 1.0);
  CHECK(*m.pixel.f1_max == 1.0);
  CHECK(*m.pixel.f1_threshold == Approx(0.9));
  CHECK(*m.pro.au_pro == 1.0);
  CHECK(*m.image.auroc == 1.0);
}

TEST_CASE("an inverted map scores 0 AU-ROC and 0 AU-PRO", "[metrics]") {
  std::vector<float> map(16, 0.9f);
  for (int i : {0, 1, 4, 5}) map[static_cast<std::size_t>(i)] = 0.1f;
  const auto m = evaluate({image4("a", map, square_mask(), Label::anomalous)});
  CHECK(*m.pixel.auroc == 0.0);
  CHECK(*m.pro.au_pro == 0.0);
  CHECK(*m.pixel.ap == Approx(4.0 / 16.0));  // only the last threshold recalls anything
}

TEST_CASE("all scores tied: AU-ROC 0.5 / AP = prevalence / constant map AU-PRO@0.3 = 0.15", "[metrics]") {
  const auto m = evaluate({image4("a", constant(0.5f), square_mask(), Label::anomalous),
                           image4("n", constant(0.5f), no_defect(), Label::normal)});
  CHECK(*m.pixel.auroc == 0.5);
  CHECK(*m.pixel.ap == Approx(4.0 / 32.0).epsilon(1e-15));
  CHECK(*m.pro.au_pro == Approx(0.15).epsilon(1e-15));
  CHECK(*m.image.auroc == 0.5);
  const auto full = evaluate({image4("a", constant(0.5f), square_mask(), Label::anomalous)}, 1.0);
  CHECK(*full.pro.au_pro == Approx(0.5).epsilon(1e-15));
  CHECK(full.pro.curve.x.front() == 0.0);
  CHECK(full.pro.curve.x.back() == 1.0);
  CHECK(full.pro.curve.y.back() == 1.0);
}

TEST_CASE("a single-pixel region counts as much as a large one", "[metrics]") {
  // Region A: one pixel, found; region B: the 2×2 square, missed. PRO = (1 + 0) / 2.
  std::vector<int> mask = square_mask();
  mask[15] = 1;
  std::vector<float> map(16, 0.0f);
  map[15] = 1.0f;
  const auto m = evaluate({image4("a", map, mask, Label::anomalous)}, 1.0);
  REQUIRE(m.pro.regions == 2);
  // Curve: (0,0) → (0, 0.5) at score 1 → (1, 1) at score 0: area = 0.5 + 0.5·0.5 = 0.75.
  CHECK(*m.pro.au_pro == Approx(0.75).epsilon(1e-15));
}

TEST_CASE("squares touching at a corner are one 8-connected region", "[metrics]") {
  const std::vector<int> mask = {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1};
  const auto m = evaluate({image4("a", constant(0.5f), mask, Label::anomalous)});
  CHECK(m.pro.regions == 1);
}

TEST_CASE("without any defect pixel / pixel metrics and AU-PRO are undefined / not made up", "[metrics]") {
  const auto m = evaluate({image4("n1", constant(0.2f), no_defect(), Label::normal),
                           image4("n2", constant(0.4f), no_defect(), Label::normal)});
  CHECK_FALSE(m.pixel.auroc.has_value());
  CHECK_FALSE(m.pixel.ap.has_value());
  CHECK_FALSE(m.pro.au_pro.has_value());
  CHECK_FALSE(m.image.auroc.has_value());  // one image class only: null, not 0.5
  CHECK_FALSE(m.pro_rd4ad.value.has_value());
}

TEST_CASE("an anomalous image with an empty mask is fine for AU-PRO and undefined for RD4AD", "[metrics]") {
  std::vector<float> map(16);
  for (int i = 0; i < 16; ++i) map[static_cast<std::size_t>(i)] = static_cast<float>(16 - i);
  const auto m = evaluate({image4("logical", constant(0.3f), no_defect(), Label::anomalous),
                           image4("a", map, square_mask(), Label::anomalous),
                           image4("n", constant(0.1f), no_defect(), Label::normal)});
  CHECK(m.pro.regions == 1);
  CHECK(m.pro_rd4ad.images_used == 1);
  CHECK(m.pro.au_pro.has_value());
  CHECK(m.pro_rd4ad.images_undefined == 1);
  CHECK_THAT(m.pro_rd4ad.undefined_reasons.at(0), Contains("logical") && Contains("empty"));
  CHECK(*m.image.auroc == 1.0);
}

TEST_CASE("RD4AD cannot score a perfectly separating map", "[metrics]") {
  std::vector<float> map(16, 0.1f);
  for (int i : {0, 1, 4, 5}) map[static_cast<std::size_t>(i)] = 0.9f;
  const auto m = evaluate({image4("perfect", map, square_mask(), Label::anomalous)});
  CHECK(m.pro_rd4ad.images_undefined == 1);
  CHECK_THAT(m.pro_rd4ad.undefined_reasons.at(0), Contains("perfect"));
  CHECK(*m.pro.au_pro == 1.0);
}

TEST_CASE("RD4AD policies: skip leaves undefined images out / zero counts them / nan poisons", "[metrics]") {
  std::vector<float> ramp(16);
  for (int i = 0; i < 16; ++i) ramp[static_cast<std::size_t>(i)] = static_cast<float>(16 - i);
  const std::vector<metrics::ScoredImage> images = {
      image4("ok", ramp, square_mask(), Label::anomalous),
      image4("flat", constant(1.0f), square_mask(), Label::anomalous)};
  metrics::EvalOptions options;
  options.rd4ad.policy = metrics::Rd4adPolicy::skip;
  const auto skip = metrics::evaluate_category(images, options).pro_rd4ad;
  REQUIRE(skip.value.has_value());
  CHECK(skip.images_used == 1);
  CHECK(skip.images_undefined == 1);
  options.rd4ad.policy = metrics::Rd4adPolicy::zero;
  CHECK(*metrics::evaluate_category(images, options).pro_rd4ad.value == Approx(*skip.value / 2));
  options.rd4ad.policy = metrics::Rd4adPolicy::nan;
  CHECK_FALSE(metrics::evaluate_category(images, options).pro_rd4ad.value.has_value());
}

TEST_CASE("tied image scores of a normal and an anomalous image count one half", "[metrics]") {
  auto a = image4("a", constant(0.5f), square_mask(), Label::anomalous);
  auto n = image4("n", constant(0.5f), no_defect(), Label::normal);
  auto n2 = image4("n2", constant(0.1f), no_defect(), Label::normal);
  const auto m = evaluate({a, n, n2});
  CHECK(*m.image.auroc == Approx(0.75).epsilon(1e-15));
}

TEST_CASE("metrics do not change under a strictly increasing transform of the maps", "[metrics]") {
  std::vector<float> map(16);
  for (int i = 0; i < 16; ++i) map[static_cast<std::size_t>(i)] = static_cast<float>((i * 7) % 11) / 10.0f;
  std::vector<float> transformed = map;
  for (auto& v : transformed) v = std::exp(3.0f * v) * 1000.0f - 5000.0f;
  std::vector<int> mask = square_mask();
  mask[10] = 1;
  const auto m1 = evaluate({image4("a", map, mask, Label::anomalous), image4("n", map, no_defect(), Label::normal)});
  const auto m2 = evaluate({image4("a", transformed, mask, Label::anomalous), image4("n", transformed, no_defect(), Label::normal)});
  CHECK(*m1.pixel.auroc == *m2.pixel.auroc);
  CHECK(*m1.pixel.ap == *m2.pixel.ap);
  CHECK(*m1.pro.au_pro == *m2.pro.au_pro);
}

TEST_CASE("NaN or Inf in a map is an error naming the image and the pixel", "[metrics]") {
  std::vector<float> map(16, 0.5f);
  map[6] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(evaluate({image4("cat/test/crack/007", map, square_mask(), Label::anomalous)}),
                    Contains("cat/test/crack/007") && Contains("NaN") && Contains("x=2, y=1"));
  map[6] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(evaluate({image4("x", map, square_mask(), Label::anomalous)}), MetricError);
}

TEST_CASE("invalid inputs are rejected with the image named", "[metrics]") {
  auto a = image4("bad/size", constant(0.5f), square_mask(), Label::anomalous);
  a.mask = cv::Mat::zeros(3, 4, CV_8U);
  CHECK_THROWS_WITH(evaluate({a}), Contains("bad/size") && Contains("4x4") && Contains("4x3"));
  auto n = image4("normal/with/defect", constant(0.5f), square_mask(), Label::normal);
  CHECK_THROWS_WITH(evaluate({n}), Contains("normal/with/defect"));
  CHECK_THROWS_AS(evaluate({image4("a", constant(0.5f), square_mask(), Label::anomalous)}, 0.0), MetricError);
  CHECK_THROWS_AS(evaluate({image4("a", constant(0.5f), square_mask(), Label::anomalous)}, 1.5), MetricError);
  CHECK_THROWS_AS(evaluate({}), MetricError);
}

TEST_CASE("the score key orders every float and merges +0 and -0", "[metrics]") {
  const std::vector<float> ascending = {-std::numeric_limits<float>::max(), -1e20f, -1.0f, -1e-45f, 0.0f,
                                        1e-45f, 1e-38f, 0.5f, 0.50000006f, 1.0f, 3e38f};
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i) {
    CHECK(metrics::descending_key(ascending[i]) > metrics::descending_key(ascending[i + 1]));
  }
  for (float v : ascending) CHECK(metrics::score_from_descending_key(metrics::descending_key(v)) == v);
  CHECK(metrics::descending_key(-0.0f) == metrics::descending_key(0.0f));
}

TEST_CASE("results do not depend on the thread count", "[metrics]") {
  std::vector<metrics::ScoredImage> images;
  for (int i = 0; i < 9; ++i) {
    std::vector<float> map(16);
    for (int p = 0; p < 16; ++p) map[static_cast<std::size_t>(p)] = static_cast<float>((p * 13 + i * 5) % 17) / 4.0f;
    images.push_back(image4("i" + std::to_string(i), map, i % 3 ? square_mask() : no_defect(),
                            i % 3 ? Label::anomalous : Label::normal));
  }
  metrics::EvalOptions one, two;
  one.threads = 1;
  two.threads = 2;
  const auto m1 = metrics::evaluate_category(images, one);
  const auto m2 = metrics::evaluate_category(images, two);
  CHECK(*m1.pixel.auroc == *m2.pixel.auroc);
  CHECK(*m1.pro.au_pro == *m2.pro.au_pro);
  CHECK(*m1.pro_rd4ad.value == *m2.pro_rd4ad.value);
  CHECK(m1.pro.curve.x == m2.pro.curve.x);
}
