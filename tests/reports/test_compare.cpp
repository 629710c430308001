// kdad compare: matching, tolerances, significance, speed ratios, refusals and the verdict.
#include "core/error.h"
#include "reports/compare.h"
#include "report_fixtures.h"
#include "test_support.h"

#include <catch2/catch.hpp>

using namespace kdad;
using namespace kdad::reports;
using Catch::Matchers::Contains;

namespace {

std::vector<double> scores(double shift, int n = 40) {
  std::vector<double> s;
  for (int i = 0; i < n; ++i) s.push_back(0.01 * ((i * 37) % 41) + (i % 2 ? shift : 0.0));
  return s;
}

std::vector<test::FakeCell> grid(double auroc_shift, double fit_s = 10, std::vector<std::int64_t> seeds = {0},
                                 double image_shift = 0.3) {
  std::vector<test::FakeCell> cells;
  for (const char* method : {"rd", "mrkd"}) {
    for (const char* category : {"bottle", "cable"}) {
      for (const auto seed : seeds) {
        test::FakeCell c{method, category, seed, {{"image_auroc", 0.9 + auroc_shift + 0.001 * seed}, {"au_pro", 0.8}}};
        c.scores = scores(image_shift);
        c.fit_s = fit_s;
        cells.push_back(c);
      }
    }
  }
  return cells;
}

Comparison run_compare(const std::filesystem::path& a, const std::filesystem::path& b, CompareOptions options = {}) {
  return compare(select_cells(a, {}), select_cells(b, {}), options);
}

}  // namespace

TEST_CASE("an identical candidate passes and a worse one regresses", "[reports][compare]") {
  test::TempDir dir;
  test::write_fake_store(dir / "base.sqlite", grid(0));
  test::write_fake_store(dir / "same.sqlite", grid(0), "bbbb2222");
  test::write_fake_store(dir / "worse.sqlite", grid(-0.02), "cccc3333");
  const Comparison same = run_compare(dir / "base.sqlite", dir / "same.sqlite");
  CHECK_FALSE(same.regression);
  CHECK(same.cells.size() == 4);
  CHECK(same.means.size() == 2);
  CHECK_THAT(comparison_markdown(same), Contains("no regression"));

  const Comparison worse = run_compare(dir / "base.sqlite", dir / "worse.sqlite");
  CHECK(worse.regression);
  CHECK(worse.means[0].regression);
  const std::string markdown = comparison_markdown(worse);
  CHECK_THAT(markdown, Contains("❌ regression") && Contains("-0.0200") && Contains("Cells beyond tolerance (4 of 4)"));
  const auto json = comparison_json(worse);
  CHECK(json["regression"] == true);
  CHECK(json["cells"][0]["metrics"][0]["delta"].get<double>() == Approx(-0.02));

  CompareOptions loose;
  loose.tolerance = 0.03;
  CHECK_FALSE(run_compare(dir / "base.sqlite", dir / "worse.sqlite", loose).regression);
}

TEST_CASE("the image AU-ROC difference is tested with DeLong on the paired image scores", "[reports][compare]") {
  test::TempDir dir;
  test::write_fake_store(dir / "base.sqlite", grid(0, 10, {0}, 0.3));
  test::write_fake_store(dir / "cand.sqlite", grid(0, 10, {0}, 0.0), "bbbb2222");
  const Comparison c = run_compare(dir / "base.sqlite", dir / "cand.sqlite");
  const MetricDelta& d = c.cells[0].metrics[0];
  REQUIRE(d.metric == "image_auroc");
  CHECK(d.test == "DeLong");
  REQUIRE(d.p_value.has_value());
  CHECK(*d.p_value < 0.05);  // separated scores against unseparated ones
  const Comparison same = run_compare(dir / "base.sqlite", dir / "base.sqlite");
  CHECK(same.cells[0].metrics[0].p_value == 1.0);
}

TEST_CASE("with several seeds the allowed drop grows with the baseline's seed spread", "[reports][compare]") {
  test::TempDir dir;
  auto base = grid(0, 10, {0, 1, 2});
  for (auto& c : base) c.metrics["image_auroc"] += c.seed == 1 ? 0.03 : 0.0;  // noisy seeds
  test::write_fake_store(dir / "base.sqlite", base);
  test::write_fake_store(dir / "cand.sqlite", grid(-0.01, 10, {0, 1, 2}), "bbbb2222");
  const Comparison c = run_compare(dir / "base.sqlite", dir / "cand.sqlite");
  REQUIRE_FALSE(c.means.empty());
  const MetricDelta& d = c.means[0].metrics[0];
  CHECK(d.tolerance > 0.02);
  CHECK(d.test == "paired t over seeds");
  CHECK_FALSE(d.regression);
}

TEST_CASE("failed or missing candidate cells are regressions / extra ones are listed", "[reports][compare]") {
  test::TempDir dir;
  test::write_fake_store(dir / "base.sqlite", grid(0));
  auto failing = grid(0);
  failing[0].status = "failed";
  failing[0].metrics.clear();
  failing.pop_back();
  failing.push_back({"new", "bottle", 0, {{"image_auroc", 0.5}}});
  test::write_fake_store(dir / "cand.sqlite", failing, "bbbb2222");
  const Comparison c = run_compare(dir / "base.sqlite", dir / "cand.sqlite");
  CHECK(c.regression);
  CHECK(c.missing.size() == 1);
  CHECK(c.added.size() == 1);
  CHECK_THAT(comparison_markdown(c), Contains("failed in the candidate") && Contains("Missing in the candidate"));
}

TEST_CASE("speed is gated by ratios to each run's calibration", "[reports][compare]") {
  test::TempDir dir;
  test::write_fake_store(dir / "base.sqlite", grid(0, 10), "aaaa1111", 1.0);
  // Twice the fit time on a machine that is twice as slow: no regression.
  test::write_fake_store(dir / "slow_machine.sqlite", grid(0, 20), "bbbb2222", 2.0);
  const Comparison fair = run_compare(dir / "base.sqlite", dir / "slow_machine.sqlite");
  CHECK(fair.calibrated);
  CHECK(fair.calibration_ratio == Approx(2.0));
  CHECK(fair.means[0].speed[0].ratio == Approx(1.0));
  CHECK_FALSE(fair.regression);
  // Twice the fit time on the same machine: a regression, unless speed is not gated.
  test::write_fake_store(dir / "slow_code.sqlite", grid(0, 20), "cccc3333", 1.0);
  const Comparison slow = run_compare(dir / "base.sqlite", dir / "slow_code.sqlite");
  CHECK(slow.means[0].speed[0].ratio == Approx(2.0));
  CHECK(slow.regression);
  CompareOptions ungated;
  ungated.gate_speed = false;
  CHECK_FALSE(run_compare(dir / "base.sqlite", dir / "slow_code.sqlite", ungated).regression);
}

TEST_CASE("different protocols or datasets are refused with the reason", "[reports][compare]") {
  test::TempDir dir;
  test::write_fake_store(dir / "base.sqlite", grid(0));
  auto other_protocol = grid(0);
  for (auto& c : other_protocol) c.protocol = "p-other";
  test::write_fake_store(dir / "protocol.sqlite", other_protocol, "bbbb2222");
  CHECK_THROWS_WITH(run_compare(dir / "base.sqlite", dir / "protocol.sqlite"),
                    Contains("p-other") && Contains("different protocols are never compared"));
  auto other_data = grid(0);
  for (auto& c : other_data) c.dataset_fingerprint = "g";
  test::write_fake_store(dir / "data.sqlite", other_data, "cccc3333");
  CHECK_THROWS_WITH(run_compare(dir / "base.sqlite", dir / "data.sqlite"), Contains("dataset differs"));
  try {
    run_compare(dir / "base.sqlite", dir / "data.sqlite");
  } catch (const Error& e) {
    CHECK(e.exit_code() == 2);
  }
}

TEST_CASE("with cells not gated only the means and failed cells decide", "[reports][compare]") {
  test::TempDir dir;
  test::write_fake_store(dir / "base.sqlite", grid(0));
  auto one_worse = grid(0);
  one_worse[0].metrics["image_auroc"] -= 0.04;  // one cell of four: the mean drops by 0.01
  test::write_fake_store(dir / "cand.sqlite", one_worse, "bbbb2222");
  CompareOptions options;
  options.tolerance = 0.02;
  CHECK(run_compare(dir / "base.sqlite", dir / "cand.sqlite", options).regression);
  options.gate_cells = false;
  const Comparison c = run_compare(dir / "base.sqlite", dir / "cand.sqlite", options);
  CHECK_FALSE(c.regression);
  std::size_t reported = 0;
  for (const auto& cell : c.cells) reported += cell.regression ? 1 : 0;
  CHECK(reported == 1);  // still reported
  CHECK_THAT(comparison_markdown(c), Contains("only failed or missing cells and the means decide"));
}
