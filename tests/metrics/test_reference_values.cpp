// Metric values against committed references: sklearn for AU-ROC/AP/F1-max, a brute-force Python
// implementation of the MVTec AU-PRO definition, and a literal RD4AD compute_pro
// (tests/data/metrics_reference/make_reference.py).
#include "metrics/evaluation.h"
#include "metrics/pixel_sweep.h"
#include "metric_test_helpers.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <optional>

using namespace kdad;
using nlohmann::json;

namespace {

json load(const std::string& name) {
  std::ifstream in(test::data_dir() / "metrics_reference" / name);
  REQUIRE(in);
  return json::parse(in);
}

void check_value(const std::optional<double>& actual, const json& expected, double tolerance, const std::string& what) {
  INFO(what);
  if (expected.is_null()) {
    CHECK_FALSE(actual.has_value());
  } else {
    REQUIRE(actual.has_value());
    CHECK(std::abs(*actual - expected.get<double>()) <= tolerance);
  }
}

}  // namespace

TEST_CASE("image-level AU-ROC / AP and F1-max equal sklearn on every reference case", "[metrics][reference]") {
  const json doc = load("ranking_cases.json");
  REQUIRE(doc["cases"].size() >= 20);
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"];
    std::vector<metrics::ScoredImage> images;
    for (std::size_t i = 0; i < c["scores"].size(); ++i) {
      metrics::ScoredImage image;
      image.id = name + "/" + std::to_string(i);
      image.score = static_cast<float>(c["scores"][i].get<double>());
      image.label = c["labels"][i].get<int>() ? Label::anomalous : Label::normal;
      images.push_back(image);
    }
    const auto m = metrics::evaluate_image_scores(images, 1e-3);
    check_value(m.auroc, c["auroc"], 1e-12, name + " auroc");
    check_value(m.ap, c["ap"], 1e-12, name + " ap");
    check_value(m.f1_max, c["f1_max"], 1e-12, name + " f1_max");
  }
}

TEST_CASE("pixel-level sweep (radix sort path) equals sklearn on the same cases", "[metrics][reference]") {
  const json doc = load("ranking_cases.json");
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"];
    const int n = static_cast<int>(c["scores"].size());
    // Split the pixels over up to three images of one row each, to cross image boundaries.
    std::vector<metrics::ScoredImage> images;
    for (int start = 0, part = 0; start < n; ++part) {
      const int count = std::max(1, std::min(n - start, (n + 2) / 3));
      std::vector<float> map;
      std::vector<int> mask;
      for (int i = start; i < start + count; ++i) {
        map.push_back(static_cast<float>(c["scores"][static_cast<std::size_t>(i)].get<double>()));
        mask.push_back(c["labels"][static_cast<std::size_t>(i)].get<int>());
      }
      const bool any = std::find(mask.begin(), mask.end(), 1) != mask.end();
      images.push_back(test::scored_image(name + "/" + std::to_string(part), 1, count, map, mask,
                                          any ? Label::anomalous : Label::normal));
      start += count;
    }
    for (int threads : {1, 2}) {
      const auto m = metrics::sweep_pixels(images, {0.3, threads, 1e-3, {}}).ranking;
      check_value(m.auroc, c["auroc"], 1e-12, name + " pixel auroc");
      check_value(m.ap, c["ap"], 1e-12, name + " pixel ap");
      check_value(m.f1_max, c["f1_max"], 1e-12, name + " pixel f1_max");
    }
  }
}

TEST_CASE("AU-PRO / pixel and image metrics and the RD4AD variant equal the Python references", "[metrics][reference]") {
  const json doc = load("pro_cases.json");
  REQUIRE(doc["cases"].size() >= 10);
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"];
    const int rows = c["height"], cols = c["width"];
    std::vector<metrics::ScoredImage> images;
    for (std::size_t i = 0; i < c["maps"].size(); ++i) {
      const auto map = c["maps"][i].get<std::vector<float>>();
      const auto mask = c["masks"][i].get<std::vector<int>>();
      images.push_back(test::scored_image(name + "/" + std::to_string(i), rows, cols, map, mask,
                                          c["labels"][i].get<int>() ? Label::anomalous : Label::normal));
    }
    for (const auto& [limit_text, expected] : c["au_pro"].items()) {
      metrics::EvalOptions options;
      options.pro_limit = std::stod(limit_text);
      options.threads = 2;
      const auto m = metrics::evaluate_category(images, options);
      check_value(m.pro.au_pro, expected, 1e-9, name + " au_pro@" + limit_text);
      if (limit_text == "0.3") {
        check_value(m.pixel.auroc, c["pixel_auroc"], 1e-12, name + " pixel_auroc");
        check_value(m.pixel.ap, c["pixel_ap"], 1e-12, name + " pixel_ap");
        check_value(m.pixel.f1_max, c["pixel_f1_max"], 1e-12, name + " pixel_f1_max");
        check_value(m.image.auroc, c["image_auroc"], 1e-12, name + " image_auroc");
        check_value(m.image.ap, c["image_ap"], 1e-12, name + " image_ap");
        check_value(m.image.f1_max, c["image_f1_max"], 1e-12, name + " image_f1_max");
        CHECK(m.pro_rd4ad.images_undefined == c["rd4ad_undefined"].get<std::size_t>());
      }
    }
    // Every limit from one sweep: the areas up to further limits (ProMetrics::also) equal the
    // reference too, and are named au_pro_<limit>.
    std::vector<std::string> limits;
    for (const auto& [limit_text, expected] : c["au_pro"].items()) limits.push_back(limit_text);
    REQUIRE(limits.size() >= 2);
    metrics::EvalOptions all;
    all.threads = 2;
    // The primary limit first (the smallest), the others wider and in the reverse order.
    all.pro_limit = std::stod(limits.front());
    std::reverse(limits.begin() + 1, limits.end());
    for (std::size_t k = 1; k < limits.size(); ++k) all.extra_pro_limits.push_back(std::stod(limits[k]));
    const auto together = metrics::evaluate_category(images, all);
    check_value(together.pro.au_pro, c["au_pro"][limits.front()], 1e-9, name + " au_pro@" + limits.front() + " with further limits");
    REQUIRE(together.pro.also.size() == limits.size() - 1);
    const auto named = metrics::named_values(together);
    for (std::size_t k = 1; k < limits.size(); ++k) {
      CHECK(together.pro.also[k - 1].limit == std::stod(limits[k]));
      check_value(together.pro.also[k - 1].au_pro, c["au_pro"][limits[k]], 1e-9, name + " further au_pro@" + limits[k]);
      const std::string wanted = metrics::au_pro_name(std::stod(limits[k]));
      CHECK(std::count_if(named.begin(), named.end(), [&](const metrics::NamedValue& v) { return v.name == wanted; }) == 1);
    }
    for (const auto& [policy_text, expected] : c["au_pro_rd4ad"].items()) {
      metrics::EvalOptions options;
      options.rd4ad.policy = policy_text == "skip"   ? metrics::Rd4adPolicy::skip
                             : policy_text == "zero" ? metrics::Rd4adPolicy::zero
                                                     : metrics::Rd4adPolicy::nan;
      const auto m = metrics::evaluate_category(images, options);
      check_value(m.pro_rd4ad.value, expected, 1e-12, name + " au_pro_rd4ad/" + policy_text);
    }
  }
}
