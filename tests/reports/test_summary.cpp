// The one aggregation behind every renderer: groups, the rule for means over categories, seed
// statistics, superseded cells; and the HTML text helpers.
#include "reports/html_text.h"
#include "reports/selection.h"
#include "reports/summary.h"
#include "reports/terminal_tables.h"
#include "report_fixtures.h"
#include "test_support.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace kdad;
using namespace kdad::reports;
using Catch::Matchers::Contains;

TEST_CASE("means over categories are defined only when every category has the value", "[reports][summary]") {
  test::TempDir dir;
  test::write_fake_store(dir / "r.sqlite", {
                                               {"A", "bottle", 0, {{"image_auroc", 0.9}, {"au_pro", 0.5}}},
                                               {"A", "bottle", 1, {{"image_auroc", 0.7}, {"au_pro", 0.6}}},
                                               {"A", "cable", 0, {{"image_auroc", 0.8}}},
                                               {"A", "cable", 1, {{"image_auroc", 0.6}}},
                                           });
  const SelectedCells selected = select_cells(dir / "r.sqlite", {});
  const Summary summary = summarize(selected.cells);
  REQUIRE(summary.groups.size() == 1);
  const GroupSummary& g = summary.groups[0];
  REQUIRE(g.categories.size() == 2);
  // bottle: seeds 0.9 and 0.7 → 0.8 ± 0.1414
  const auto* bottle = category_stat(g.categories[0], "image_auroc");
  REQUIRE(bottle);
  CHECK(bottle->mean == Approx(0.8));
  CHECK(*bottle->std == Approx(0.141421356));
  // mean over categories 0.75; per-seed means (0.85, 0.65) → std 0.1414
  const auto* mean = mean_stat(g, "image_auroc");
  REQUIRE(mean);
  CHECK(mean->mean == Approx(0.75));
  CHECK(*mean->std == Approx(0.141421356));
  CHECK(g.seeds == std::vector<std::int64_t>{0, 1});
  // au_pro is missing in cable: no mean, and the category is named
  CHECK(mean_stat(g, "au_pro") == nullptr);
  CHECK(g.undefined_in.at("au_pro") == std::vector<std::string>{"cable"});
}

TEST_CASE("a failed category makes the mean undefined in the study table, with a note", "[reports][summary]") {
  test::TempDir dir;
  test::write_fake_store(dir / "r.sqlite", {
                                               {"A", "bottle", 0, {{"image_auroc", 0.9}}},
                                               {"A", "cable", 0, {}, "failed"},
                                               {"B", "bottle", 0, {{"image_auroc", 0.5}}},
                                               {"B", "cable", 0, {{"image_auroc", 0.7}}},
                                           });
  const SelectedCells selected = select_cells(dir / "r.sqlite", {});
  std::ostringstream out;
  print_study_table(out, selected.cells, {"C/mvtec_ad/bottle/seed 0"});
  const std::string table = out.str();
  CHECK_THAT(table, Contains("failed: boom") && Contains("not run"));
  CHECK_THAT(table, Contains("A on mvtec_ad: no mean for I-AUROC") && Contains("failed in cable"));
  CHECK_THAT(table, Contains("0.6000"));  // B's mean
}

TEST_CASE("the latest cell of a seed supersedes an older one of the same group", "[reports][summary]") {
  test::TempDir dir;
  test::write_fake_store(dir / "r.sqlite", {
                                               {"A", "bottle", 0, {{"image_auroc", 0.2}}, "ok", "p-test", "old"},
                                               {"A", "bottle", 0, {{"image_auroc", 0.9}}, "ok", "p-test", "new"},
                                           });
  const SelectedCells selected = select_cells(dir / "r.sqlite", {});
  const Summary summary = summarize(selected.cells);
  REQUIRE(summary.groups.size() == 1);
  CHECK(summary.groups[0].categories[0].cells.size() == 1);
  CHECK(summary.groups[0].categories[0].superseded == 1);
  CHECK(category_stat(summary.groups[0].categories[0], "image_auroc")->mean == 0.9);
}

TEST_CASE("HTML text helpers escape and encode exactly", "[reports][html]") {
  CHECK(escape_html("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64(std::string("\xff\x00\x80", 3)) == "/wCA");
  CHECK(json_for_script(R"({"a":"</script>"})") == R"({"a":"<\/script>"})");
  CHECK(percent(0.97345) == "97.3");
  CHECK(percent(std::nullopt) == "n/a");
}
