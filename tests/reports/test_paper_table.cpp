// Paper tables: marks (best, second, ties), means, escaping, formats, and refusing mixed protocols.
#include "core/error.h"
#include "reports/paper_table.h"
#include "report_fixtures.h"
#include "test_support.h"

#include <catch2/catch.hpp>

using namespace kdad;
using namespace kdad::reports;
using Catch::Matchers::Contains;

namespace {

std::vector<test::FakeCell> three_methods() {
  return {
      {"A_1", "bottle", 0, {{"image_auroc", 0.90}}},   {"A_1", "cable", 0, {{"image_auroc", 0.80}}},
      {"B&b", "bottle", 0, {{"image_auroc", 0.95}}},   {"B&b", "cable", 0, {{"image_auroc", 0.80}}},
      {"C", "bottle", 0, {{"image_auroc", 0.85}}},     {"C", "cable", 0, {{"image_auroc", 0.70}}},
  };
}

std::string table(const std::filesystem::path& db, TableFormat format, Selection selection = {}) {
  TableOptions options;
  options.format = format;
  options.metrics = {"image_auroc"};
  return render_table(select_cells(db, selection), options);
}

}  // namespace

TEST_CASE("LaTeX tables mark best in bold and second underlined / ties share / names escaped", "[reports][table]") {
  test::TempDir dir;
  test::write_fake_store(dir / "r.sqlite", three_methods());
  const std::string latex = table(dir / "r.sqlite", TableFormat::latex);
  CHECK_THAT(latex, Contains("\\begin{tabular}{lccc}") && Contains("\\toprule") && Contains("\\bottomrule"));
  CHECK_THAT(latex, Contains("A\\_1 & B\\&b & C"));
  // bottle: B best, A second, C last (unmarked).
  CHECK_THAT(latex, Contains("bottle & \\underline{90.0} & \\textbf{95.0} & 85.0 \\\\"));
  // cable: A and B tie for best; C is below them but there is no third value below it.
  CHECK_THAT(latex, Contains("cable & \\textbf{80.0} & \\textbf{80.0} & 70.0 \\\\"));
  // means: A 85.0, B 87.5 (best), C 77.5
  CHECK_THAT(latex, Contains("Mean & \\underline{85.0} & \\textbf{87.5} & 77.5 \\\\"));
}

TEST_CASE("Markdown and CSV carry the same values and marks", "[reports][table]") {
  test::TempDir dir;
  test::write_fake_store(dir / "r.sqlite", three_methods());
  const std::string md = table(dir / "r.sqlite", TableFormat::markdown);
  CHECK_THAT(md, Contains("| bottle | <u>90.0</u> | **95.0** | 85.0 |"));
  CHECK_THAT(md, Contains("| **Mean** | <u>85.0</u> | **87.5** | 77.5 |"));
  CHECK_THAT(md, Contains("A\\_1") && Contains("B&b"));
  const std::string csv = table(dir / "r.sqlite", TableFormat::csv);
  CHECK_THAT(csv, Contains("p-test,mvtec_ad,bottle,B&b,image_auroc,95.0,,1,best"));
  CHECK_THAT(csv, Contains("p-test,mvtec_ad,Mean,A_1,image_auroc,85.0,,1,second"));
}

TEST_CASE("means are undefined when a category failed / std over seeds is shown on request", "[reports][table]") {
  test::TempDir dir;
  test::write_fake_store(dir / "r.sqlite", {
                                               {"A", "bottle", 0, {{"image_auroc", 0.9}}},
                                               {"A", "bottle", 1, {{"image_auroc", 0.8}}},
                                               {"A", "cable", 0, {}, "failed"},
                                               {"B", "bottle", 0, {{"image_auroc", 0.5}}},
                                               {"B", "cable", 0, {{"image_auroc", 0.5}}},
                                           });
  TableOptions options;
  options.metrics = {"image_auroc"};
  options.with_std = true;
  options.format = TableFormat::markdown;
  const std::string md = render_table(select_cells(dir / "r.sqlite", {}), options);
  CHECK_THAT(md, Contains("| bottle | **85.0** ± 7.1 | 50.0 |"));
  CHECK_THAT(md, Contains("| cable | n/a | **50.0** |"));
  CHECK_THAT(md, Contains("| **Mean** | n/a | **50.0** |"));
}

TEST_CASE("a table never mixes protocols and names bad options", "[reports][table]") {
  test::TempDir dir;
  auto cells = three_methods();
  cells.push_back({"A_1", "bottle", 0, {{"image_auroc", 0.5}}, "ok", "p-other"});
  test::write_fake_store(dir / "r.sqlite", cells);
  CHECK_THROWS_WITH(table(dir / "r.sqlite", TableFormat::latex), Contains("--protocol") && Contains("p-other"));
  Selection one;
  one.protocol = "p-test";
  CHECK_NOTHROW(table(dir / "r.sqlite", TableFormat::latex, one));
  Selection typo;
  typo.methods = {"D"};
  CHECK_THROWS_WITH(table(dir / "r.sqlite", TableFormat::latex, typo), Contains("--method") && Contains("'D'") &&
                                                                           Contains("A_1"));
  TableOptions options;
  options.metrics = {"image_aucroc"};
  CHECK_THROWS_WITH(render_table(select_cells(dir / "r.sqlite", one), options), Contains("unknown metric 'image_aucroc'"));
}
