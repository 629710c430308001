// `datasets verify`: a sound layout passes; each kind of problem is found and named.
#include "datasets/format.h"
#include "datasets/mvtec_ad.h"
#include "datasets/synthetic.h"
#include "datasets/verify.h"
#include "layout_fixtures.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>

using namespace kdad;
using namespace kdad::datasets;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// categories, side, train, test good, test per defect, seed
datasets::SyntheticSpec tiny_spec() { return {{"disc"}, 48, 3, 2, 1, 0}; }

VerifyReport verify(const fs::path& root, DatasetFormat format = DatasetFormat::mvtec_ad) {
  const auto dataset = open_dataset(format, root);
  VerifyReport report = verify_dataset(*dataset, dataset->categories(), 2);
  for (const auto& p : report.problems) UNSCOPED_INFO("problem: " << p.subject << ": " << p.problem);
  return report;
}

bool has_problem(const VerifyReport& report, const std::string& subject_part, const std::string& problem_part) {
  for (const auto& p : report.problems) {
    if (p.subject.find(subject_part) != std::string::npos && p.problem.find(problem_part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a generated dataset verifies as sound with its counts per split and defect type", "[datasets][verify]") {
  test::TempDir dir;
  make_synthetic_dataset(dir / "d", tiny_spec());
  const auto report = verify(dir / "d");
  CHECK(report.sound());
  REQUIRE(report.categories.size() == 1);
  const auto& disc = report.categories[0];
  CHECK(disc.train == 3);
  CHECK(disc.test_normal == 2);
  CHECK(disc.test_anomalous == 4);
  CHECK(disc.test_by_defect.at("scratch") == 1);
  CHECK(disc.mask_values == std::vector<int>{0, 255});
  CHECK(report.files_checked == 9);
}

TEST_CASE("verify finds every kind of layout problem in one run", "[datasets][verify]") {
  test::TempDir dir;
  const fs::path root = dir / "d";
  make_synthetic_dataset(root, tiny_spec());
  const fs::path base = root / "disc";
  fs::remove(base / "ground_truth" / "blob" / "000_mask.png");                                   // missing mask
  fs::copy_file(base / "ground_truth" / "edge" / "000_mask.png", base / "ground_truth" / "edge" / "005_mask.png");  // orphan
  std::ofstream(base / "test" / "good" / "001.png") << "truncated";                                // unreadable
  cv::imwrite((base / "ground_truth" / "spots" / "000_mask.png").string(), cv::Mat::zeros(10, 10, CV_8U));  // wrong size
  cv::imwrite((base / "ground_truth" / "scratch" / "000_mask.png").string(), cv::Mat::zeros(48, 48, CV_8U));  // empty
  fs::copy_file(base / "train" / "good" / "000.png", base / "test" / "good" / "007.png");        // train/test leak
  const auto report = verify(root);
  CHECK_FALSE(report.sound());
  CHECK(has_problem(report, "blob/000_mask.png", "missing ground-truth mask"));
  CHECK(has_problem(report, "edge/005_mask.png", "mask without an image (no test/edge/005.*)"));
  // Each file is reported once: the orphan mask not again as stray, the image of the missing mask not as orphan.
  CHECK_FALSE(has_problem(report, "edge/005_mask.png", "belongs to no sample"));
  CHECK_FALSE(has_problem(report, "blob/000.png", "belongs to no sample"));
  CHECK(has_problem(report, "good/001.png", "not a PNG, JPEG, TIFF or BMP file"));
  CHECK(has_problem(report, "spots/000_mask.png", "10x10"));
  CHECK(has_problem(report, "scratch/000_mask.png", "no defect pixel"));
  CHECK(has_problem(report, "disc/test/good/007", "training and evaluation"));
}

TEST_CASE("verify compares MVTec AD categories with the published counts", "[datasets][verify]") {
  test::TempDir dir;
  make_synthetic_dataset(dir / "d", tiny_spec());
  fs::rename(dir / "d" / "disc", dir / "d" / "bottle");
  const auto report = verify(dir / "d");
  REQUIRE(report.categories.at(0).published.has_value());
  CHECK(report.categories[0].published->train == 209);
  CHECK(has_problem(report, "bottle", "published counts are 209 / 83"));
}

TEST_CASE("verify notes per-defect mask values and counts unused layout files", "[datasets][verify]") {
  test::TempDir dir;
  test::write_visa(dir / "visa");
  const auto visa = verify(dir / "visa", DatasetFormat::visa);
  CHECK(visa.sound());
  CHECK(visa.categories.at(0).mask_values == std::vector<int>{0, 1, 2});
  CHECK_FALSE(visa.notes.empty());
  test::write_ksdd2(dir / "ksdd2");
  const auto ksdd2 = verify(dir / "ksdd2", DatasetFormat::ksdd2);
  REQUIRE(ksdd2.problems.size() == 1);  // only the fixture's size differs from the published counts
  CHECK(has_problem(ksdd2, "ksdd2", "published counts are 2085 / 1004"));
  CHECK(ksdd2.categories.at(0).excluded == 2);
  CHECK(ksdd2.files_checked == 10);
}

TEST_CASE("verify reports an image missing from a VisA split CSV row", "[datasets][verify]") {
  test::TempDir dir;
  test::write_visa(dir.path());
  fs::remove(dir / "pcb1" / "Data" / "Images" / "Normal" / "0001.JPG");
  const auto report = verify(dir.path(), DatasetFormat::visa);
  CHECK(has_problem(report, "0001.JPG", "not found"));
}

TEST_CASE("an unknown category is one problem naming it once", "[datasets][verify]") {
  test::TempDir dir;
  make_synthetic_dataset(dir / "data", {{"disc"}, 32, 1, 1, 1, 0});
  const MvtecAd dataset(dir / "data");
  const VerifyReport report = verify_dataset(dataset, {"widget"}, 1);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems.front().subject == "widget");
  CHECK(report.problems.front().problem.rfind("no such category in ", 0) == 0);  // not "widget: no such ..."
}

TEST_CASE("a VisA split row listed twice is a problem naming both lines and not a second sample", "[datasets][verify]") {
  test::TempDir dir;
  test::write_visa(dir.path());
  // Line 2 is candle's first training image; list it again at the end (line 15).
  std::ofstream(dir / "split_csv" / "1cls.csv", std::ios::app) << "candle,train,normal,candle/Data/Images/Normal/0000.JPG,\n";
  const auto report = verify(dir.path(), DatasetFormat::visa);
  CHECK(has_problem(report, "1cls.csv:15", "is listed again (first on line 2)"));
  const auto dataset = open_dataset(DatasetFormat::visa, dir.path());
  ProblemSink sink;
  CHECK(dataset->split("candle", &sink).train.size() == 4);  // not 5
  CHECK_THROWS_WITH(dataset->split("candle"), Contains("1cls.csv:15") && Contains("first on line 2"));
}
