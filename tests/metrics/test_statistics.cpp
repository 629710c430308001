// Statistics against committed independent references (tests/data/statistics_reference), plus
// their defining properties: seeded bootstraps repeat, intervals contain the estimate, identical
// methods do not differ.
#include "core/rng.h"
#include "metrics/distributions.h"
#include "metrics/statistics.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace kdad::metrics;
using nlohmann::json;

namespace {

json reference() {
  std::ifstream in(kdad::test::data_dir() / "statistics_reference" / "statistics_cases.json");
  REQUIRE(in);
  return json::parse(in);
}

void check_close(double actual, const json& expected, double tolerance, const std::string& what) {
  INFO(what << ": " << actual << " vs " << expected.dump());
  CHECK(std::abs(actual - expected.get<double>()) <= tolerance);
}

ImageMetric metric_named(const std::string& name) {
  if (name == "auroc") return ImageMetric::auroc;
  if (name == "ap") return ImageMetric::ap;
  return ImageMetric::f1_max;
}

}  // namespace

TEST_CASE("Student t quantiles equal scipy's", "[metrics][statistics]") {
  const json doc = reference();  // a named object: the loop must not range over a temporary
  REQUIRE(doc["t_quantiles"].size() >= 40);
  for (const auto& q : doc["t_quantiles"]) {
    const double p = q["p"], dof = q["dof"];
    check_close(student_t_quantile(p, dof), q["t"], 1e-9, "p=" + std::to_string(p) + " dof=" + std::to_string(dof));
  }
  CHECK(std::isnan(student_t_quantile(1.0, 3)));
  CHECK(std::abs(normal_cdf(1.959963984540054) - 0.975) < 1e-15);
}

TEST_CASE("mean, std and the t interval over seeds equal numpy and scipy", "[metrics][statistics]") {
  const json doc = reference();
  REQUIRE(doc["seed_cases"].size() >= 5);
  for (const auto& c : doc["seed_cases"]) {
    const std::vector<double> values = c["values"];
    const SeedStatistics s = seed_statistics(values, c["level"].get<double>());
    CHECK(s.n == c["n"].get<std::size_t>());
    check_close(s.mean, c["mean"], 1e-14, "mean");
    if (c["std"].is_null()) {
      CHECK_FALSE(s.std.has_value());
      CHECK_FALSE(s.ci_low.has_value());
    } else {
      REQUIRE(s.std.has_value());
      check_close(*s.std, c["std"], 1e-13, "std");
      check_close(*s.ci_low, c["ci_low"], 1e-11, "ci_low");
      check_close(*s.ci_high, c["ci_high"], 1e-11, "ci_high");
    }
  }
}

TEST_CASE("DeLong's paired test equals the definition computed pairwise", "[metrics][statistics]") {
  const json doc = reference();
  REQUIRE(doc["paired_cases"].size() >= 5);
  for (const auto& c : doc["paired_cases"]) {
    const std::string name = c["name"];
    const std::vector<double> a = c["a"], b = c["b"];
    const std::vector<int> labels = c["labels"];
    const auto d = delong_test(a, b, labels, c["level"].get<double>());
    REQUIRE(d.has_value());
    for (const char* field : {"a", "b", "difference", "low", "high", "p_value"}) {
      const double actual = std::string(field) == "a" ? d->a : std::string(field) == "b" ? d->b
                          : std::string(field) == "difference" ? d->difference : std::string(field) == "low" ? d->low
                          : std::string(field) == "high" ? d->high : d->p_value;
      check_close(actual, c["delong"][field], 1e-10, name + " delong " + field);
    }
  }
}

TEST_CASE("stratified and paired bootstraps equal the reference resampling with sklearn metrics", "[metrics][statistics]") {
  const json doc = reference();
  REQUIRE(doc["paired_cases"].size() >= 5);
  for (const auto& c : doc["paired_cases"]) {
    const std::string name = c["name"];
    const std::vector<double> a = c["a"], b = c["b"];
    const std::vector<int> labels = c["labels"];
    const BootstrapOptions options{c["resamples"].get<int>(), c["seed"].get<std::uint64_t>(), c["level"].get<double>()};
    for (const std::string metric : {"auroc", "ap", "f1_max"}) {
      const auto interval = bootstrap_interval(metric_named(metric), a, labels, options);
      REQUIRE(interval.has_value());
      const json& expected = c["bootstrap_" + metric];
      check_close(interval->estimate, expected["estimate"], 1e-12, name + " " + metric + " estimate");
      check_close(interval->low, expected["low"], 1e-12, name + " " + metric + " low");
      check_close(interval->high, expected["high"], 1e-12, name + " " + metric + " high");

      const auto paired = paired_bootstrap(metric_named(metric), a, b, labels, options);
      REQUIRE(paired.has_value());
      const json& p = c["paired_" + metric];
      check_close(paired->difference, p["difference"], 1e-12, name + " " + metric + " difference");
      check_close(paired->low, p["low"], 1e-12, name + " " + metric + " paired low");
      check_close(paired->high, p["high"], 1e-12, name + " " + metric + " paired high");
      check_close(paired->p_value, p["p_value"], 1e-12, name + " " + metric + " p");
    }
  }
}

TEST_CASE("bootstraps repeat for a seed, change with it, and need two images per class", "[metrics][statistics]") {
  std::vector<double> scores;
  std::vector<int> labels;
  kdad::Rng rng(11);
  for (int i = 0; i < 60; ++i) {
    labels.push_back(i % 3 == 0);
    scores.push_back(rng.normal() + 0.8 * labels.back());
  }
  const auto first = bootstrap_interval(ImageMetric::auroc, scores, labels, {500, 3, 0.95});
  const auto again = bootstrap_interval(ImageMetric::auroc, scores, labels, {500, 3, 0.95});
  const auto other = bootstrap_interval(ImageMetric::auroc, scores, labels, {500, 4, 0.95});
  REQUIRE(first.has_value());
  CHECK(first->low == again->low);
  CHECK(first->high == again->high);
  CHECK((first->low != other->low || first->high != other->high));
  CHECK(first->low <= first->estimate);
  CHECK(first->estimate <= first->high);
  std::vector<int> one_anomalous(scores.size(), 0);
  one_anomalous[5] = 1;
  CHECK_FALSE(bootstrap_interval(ImageMetric::auroc, scores, one_anomalous, {}).has_value());
  CHECK_FALSE(delong_test(scores, scores, one_anomalous).has_value());
}
