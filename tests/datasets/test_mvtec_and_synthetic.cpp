// Tests of the MVTec AD reader, the image/mask/map readers and the synthetic generator.
#include "core/error.h"
#include "core/rng.h"
#include "datasets/fingerprint.h"
#include "datasets/image_io.h"
#include "datasets/mvtec_ad.h"
#include "datasets/simulated_maps.h"
#include "datasets/synthetic.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>

using namespace kdad;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// categories, side, train, test good, test per defect, seed
datasets::SyntheticSpec small_spec() { return {{"weave", "disc"}, 64, 3, 2, 2, 5}; }

}  // namespace

TEST_CASE("the reader lists a generated dataset with the right counts / labels and masks", "[datasets]") {
  test::TempDir dir;
  datasets::make_synthetic_dataset(dir / "d", small_spec());
  const datasets::MvtecAd dataset(dir / "d");
  CHECK(dataset.categories() == std::vector<std::string>{"disc", "weave"});
  const auto split = dataset.split("weave");
  CHECK(split.train.size() == 3);
  REQUIRE(split.test.size() == 2 + 4 * 2);
  std::size_t anomalous = 0;
  for (const auto& ref : split.test) {
    CHECK(ref.category == "weave");
    CHECK(ref.id.rfind("weave/test/", 0) == 0);
    if (ref.label == Label::anomalous) {
      ++anomalous;
      CHECK(ref.defect_type != "good");
      const Sample sample = datasets::load_sample(ref);
      CHECK(cv::countNonZero(sample.mask) > 0);
      double max_value = 0;
      cv::minMaxLoc(sample.mask, nullptr, &max_value);
      CHECK(max_value == 1.0);
    } else {
      CHECK(ref.mask.empty());
    }
  }
  CHECK(anomalous == 8);
  CHECK(split.test.front().id == "weave/test/blob/000");  // sorted by folder, then file
}

TEST_CASE("the reader names the missing mask / the missing folder and the unknown category", "[datasets]") {
  test::TempDir dir;
  datasets::make_synthetic_dataset(dir / "d", small_spec());
  const datasets::MvtecAd dataset(dir / "d");
  fs::remove(dir / "d" / "weave" / "ground_truth" / "scratch" / "001_mask.png");
  CHECK_THROWS_WITH(dataset.split("weave"), Contains("001_mask.png") && Contains("missing ground-truth mask"));
  CHECK_THROWS_WITH(dataset.split("carpet"), Contains("no such category") && Contains("disc, weave"));
  fs::remove_all(dir / "d" / "disc" / "train" / "good");
  CHECK_THROWS_WITH(dataset.split("disc"), Contains("train/good"));
  CHECK_THROWS_AS(datasets::MvtecAd(dir / "nowhere"), DataError);
}

TEST_CASE("a mask whose size differs from its image is an error naming both", "[datasets]") {
  test::TempDir dir;
  datasets::make_synthetic_dataset(dir / "d", small_spec());
  const fs::path mask = dir / "d" / "disc" / "ground_truth" / "blob" / "000_mask.png";
  cv::imwrite(mask.string(), cv::Mat::zeros(32, 64, CV_8U));
  const auto split = datasets::MvtecAd(dir / "d").split("disc");
  const auto& ref = split.test.front();
  REQUIRE(ref.mask == mask);
  CHECK_THROWS_WITH(datasets::load_sample(ref), Contains("000_mask.png") && Contains("64x32") && Contains("64x64"));
}

TEST_CASE("an unreadable image is an error naming the file", "[datasets]") {
  test::TempDir dir;
  std::ofstream(dir / "broken.png") << "not a png";
  CHECK_THROWS_WITH(datasets::read_image(dir / "broken.png"), Contains("broken.png") && Contains("not a PNG, JPEG, TIFF or BMP file"));
  CHECK_THROWS_WITH(datasets::read_image(dir / "absent.png"), Contains("absent.png") && Contains("not found"));
  CHECK_THROWS_AS(datasets::image_size(dir / "broken.png"), DataError);
}

TEST_CASE("masks are binarised: any non-zero value in any channel is a defect", "[datasets]") {
  test::TempDir dir;
  cv::Mat gray = (cv::Mat_<uchar>(1, 4) << 0, 1, 2, 0);  // class indices, as VisA's
  cv::imwrite((dir / "g.png").string(), gray);
  cv::Mat color(1, 3, CV_8UC3, cv::Scalar(0, 0, 0));
  color.at<cv::Vec3b>(0, 1) = cv::Vec3b(0, 0, 1);  // would vanish in a weighted grey conversion
  cv::imwrite((dir / "c.png").string(), color);
  cv::Mat wide = (cv::Mat_<std::uint16_t>(1, 2) << 0, 300);
  cv::imwrite((dir / "w.png").string(), wide);
  CHECK(cv::countNonZero(datasets::read_mask(dir / "g.png") != (cv::Mat_<uchar>(1, 4) << 0, 1, 1, 0)) == 0);
  CHECK(cv::countNonZero(datasets::read_mask(dir / "c.png") != (cv::Mat_<uchar>(1, 3) << 0, 1, 0)) == 0);
  CHECK(cv::countNonZero(datasets::read_mask(dir / "w.png") != (cv::Mat_<uchar>(1, 2) << 0, 1)) == 0);
  CHECK(datasets::image_size(dir / "g.png") == cv::Size(4, 1));
}

TEST_CASE("anomaly maps: float32 kept / float64 only when exact / multi-channel rejected", "[datasets]") {
  test::TempDir dir;
  cv::Mat map = (cv::Mat_<float>(2, 2) << 0.1f, 2.5f, -3.0f, 1e-7f);
  datasets::write_anomaly_map(dir / "m.tiff", map);
  const cv::Mat back = datasets::read_anomaly_map(dir / "m.tiff");
  CHECK(back.type() == CV_32FC1);
  CHECK(cv::countNonZero(back != map) == 0);
  cv::Mat exact;
  map.convertTo(exact, CV_64F);
  cv::imwrite((dir / "d.tiff").string(), exact);
  CHECK(cv::countNonZero(datasets::read_anomaly_map(dir / "d.tiff") != map) == 0);
  cv::Mat inexact = (cv::Mat_<double>(1, 2) << 0.1, 0.2);
  cv::imwrite((dir / "i.tiff").string(), inexact);
  CHECK_THROWS_WITH(datasets::read_anomaly_map(dir / "i.tiff"), Contains("i.tiff") && Contains("float32"));
  cv::imwrite((dir / "rgb.tiff").string(), cv::Mat(2, 2, CV_32FC3, cv::Scalar(1, 2, 3)));
  CHECK_THROWS_WITH(datasets::read_anomaly_map(dir / "rgb.tiff"), Contains("3 channels"));
}

TEST_CASE("generation is deterministic in the seed and never overwrites a folder", "[datasets]") {
  test::TempDir dir;
  auto spec = small_spec();
  datasets::make_synthetic_dataset(dir / "a", spec);
  datasets::make_synthetic_dataset(dir / "b", spec);
  spec.seed = 6;
  datasets::make_synthetic_dataset(dir / "c", spec);
  const std::string file = "disc/test/scratch/001.png";
  CHECK(test::file_bytes(dir / "a" / file) == test::file_bytes(dir / "b" / file));
  CHECK(test::file_bytes(dir / "a" / file) != test::file_bytes(dir / "c" / file));
  CHECK(datasets::fingerprint_split(datasets::MvtecAd(dir / "a").split("disc")) ==
        datasets::fingerprint_split(datasets::MvtecAd(dir / "b").split("disc")));
  CHECK(datasets::fingerprint_split(datasets::MvtecAd(dir / "a").split("disc")) !=
        datasets::fingerprint_split(datasets::MvtecAd(dir / "c").split("disc")));
  const std::string before = test::file_bytes(dir / "a" / file);
  CHECK_THROWS_WITH(datasets::make_synthetic_dataset(dir / "a", spec), Contains("not an empty folder"));
  CHECK(test::file_bytes(dir / "a" / file) == before);
  spec.categories = {"marble"};
  CHECK_THROWS_WITH(datasets::make_synthetic_dataset(dir / "e", spec), Contains("marble"));
}

TEST_CASE("every defect alters exactly its mask pixels / including thin and border defects", "[datasets]") {
  for (const auto& category : datasets::synthetic_category_names()) {
    for (const auto& defect : datasets::synthetic_defect_names()) {
      for (std::uint64_t seed = 0; seed < 8; ++seed) {
        Rng rng(seed);
        const cv::Mat normal = datasets::render_normal(category, 96, rng);
        cv::Mat altered = normal.clone();
        const cv::Mat mask = datasets::draw_defect(category, defect, altered, rng);
        cv::Mat diff;
        cv::absdiff(normal, altered, diff);
        if (diff.channels() > 1) cv::transform(diff, diff, cv::Matx13f(1, 1, 1));
        INFO(category << "/" << defect << " seed " << seed);
        REQUIRE(cv::countNonZero(mask) > 0);
        CHECK(cv::countNonZero((diff != 0) != (mask != 0)) == 0);
        if (defect == "edge") {
          const int border = cv::countNonZero(mask.row(0)) + cv::countNonZero(mask.row(95)) +
                             cv::countNonZero(mask.col(0)) + cv::countNonZero(mask.col(95));
          CHECK(border > 0);
        }
      }
    }
  }
}

TEST_CASE("simulated maps are float32 / at mask size / and deterministic", "[datasets]") {
  cv::Mat mask = cv::Mat::zeros(40, 50, CV_8U);
  mask(cv::Rect(10, 10, 5, 5)) = 1;
  Rng a(3), b(3);
  const cv::Mat m1 = datasets::simulate_map(mask, {}, a);
  const cv::Mat m2 = datasets::simulate_map(mask, {}, b);
  CHECK(m1.type() == CV_32FC1);
  CHECK(m1.size() == mask.size());
  CHECK(cv::countNonZero(m1 != m2) == 0);
}
