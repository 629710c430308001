// The one scoring path (harness/scoring/scoring.h): maps placed in the image frame, the method
// resolution with each method's mask rule, the protocol's metric settings, and both commands
// (`kdad run` and `kdad eval`) going through it, on non-square images whose defects are known.
#include "core/error.h"
#include "datasets/image_io.h"
#include "datasets/mvtec_ad.h"
#include "datasets/simulated_maps.h"
#include "datasets/synthetic.h"
#include "datasets/verify.h"
#include "datasets/preprocess.h"
#include "datasets/resize.h"
#include "harness/cli/app.h"
#include "harness/cli/cli.h"
#include "harness/scoring/scoring.h"
#include "harness/study/manifest.h"
#include "harness/study/runner.h"
#include "datasets/layout_fixtures.h"
#include "pixel_stats_method.h"
#include "reports/sqlite.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <sstream>

using namespace kdad;
using namespace kdad::harness;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// The MRKD-style frame: shorter side to `side`, centre crop side×side.
MapFrame crop_frame(int side) {
  MapFrame frame;
  frame.size_rule = datasets::PreprocessSpec::SizeRule::shorter_side;
  frame.shorter = side;
  frame.crop = {side, side};
  frame.mask_rule = datasets::MaskResize::nearest;
  return frame;
}

cv::Point argmax(const cv::Mat& map) {
  cv::Point at;
  cv::minMaxLoc(map, nullptr, nullptr, nullptr, &at);
  return at;
}

}  // namespace

TEST_CASE("center_crop_rect says where center_crop takes its pixels from, padding included", "[scoring]") {
  for (const cv::Size image : {cv::Size(9, 5), cv::Size(5, 9), cv::Size(8, 8), cv::Size(3, 2)}) {
    for (const cv::Size crop : {cv::Size(4, 4), cv::Size(5, 3), cv::Size(6, 6), cv::Size(3, 2)}) {
      INFO(image << " crop " << crop);
      cv::Mat input(image, CV_8UC1);
      for (int i = 0; i < static_cast<int>(input.total()); ++i) input.at<std::uint8_t>(i) = static_cast<std::uint8_t>(i + 1);
      const cv::Mat cropped = datasets::center_crop(input, crop);
      const cv::Rect rect = datasets::center_crop_rect(image, crop);
      REQUIRE(cropped.size() == crop);
      REQUIRE(rect.size() == crop);
      for (int y = 0; y < crop.height; ++y) {
        for (int x = 0; x < crop.width; ++x) {
          const cv::Point at(rect.x + x, rect.y + y);
          const bool inside = at.x >= 0 && at.y >= 0 && at.x < image.width && at.y < image.height;
          CHECK(cropped.at<std::uint8_t>(y, x) == (inside ? input.at<std::uint8_t>(at) : 0));
        }
      }
    }
  }
}

TEST_CASE("a cropping method's map is placed where its crop came from, the rest at the map's minimum", "[scoring]") {
  // A 120×60 image: shorter side 30 gives 60×30, whose centre 30×30 crop is image columns 30..89.
  const cv::Size image(120, 60);
  cv::Mat map(30, 30, CV_32FC1, cv::Scalar(0.25f));
  map(cv::Rect(20, 10, 4, 4)).setTo(1.0f);  // crop columns 20..23 = image columns 70..77, rows 20..27
  const cv::Mat placed = map_in_image_frame(map, image, crop_frame(30));
  REQUIRE(placed.size() == image);
  const cv::Point peak = argmax(placed);
  CHECK(peak.x >= 70);
  CHECK(peak.x <= 77);
  CHECK(peak.y >= 20);
  CHECK(peak.y <= 27);
  // Outside the crop: the map's minimum; the bilinear resize blends only at the crop's border.
  CHECK(placed.at<float>(30, 10) == 0.25f);
  CHECK(placed.at<float>(30, 110) == 0.25f);
  double low = 0, high = 0;
  cv::minMaxLoc(placed, &low, &high);
  CHECK(low == 0.25);
  CHECK(high == Approx(1.0));

  // A square image, or a frame without a crop, is a plain bilinear resize (the values of kdad 0.1).
  cv::Mat expected;
  cv::resize(map, expected, {60, 60}, 0, 0, cv::INTER_LINEAR);
  CHECK(cv::norm(map_in_image_frame(map, {60, 60}, crop_frame(30)), expected, cv::NORM_INF) == 0.0);
  MapFrame stretch;
  stretch.size = {30, 30};
  cv::resize(map, expected, image, 0, 0, cv::INTER_LINEAR);
  CHECK(cv::norm(map_in_image_frame(map, image, stretch), expected, cv::NORM_INF) == 0.0);
}

TEST_CASE("the method resolution scores the map against the mask by the method's own rule", "[scoring]") {
  // A 64×64 mask with a one-pixel line at row 10: shrunk 4×, nearest keeps it only when the line
  // falls on a sampled row (42 is); bilinear-then-> 0.5 drops it (RD4AD's rule).
  cv::Mat mask = cv::Mat::zeros(64, 64, CV_8UC1);
  mask(cv::Rect(8, 8, 20, 20)).setTo(1);
  mask.row(42).setTo(1);
  const cv::Mat map(16, 16, CV_32FC1, cv::Scalar(0.5f));
  EvalProtocol protocol;
  protocol.resolution = MapResolution::method;
  MapFrame rd;
  rd.size = {16, 16};
  rd.mask_rule = datasets::MaskResize::bilinear_threshold;
  MapFrame mrkd = crop_frame(16);
  for (const MapFrame& frame : {rd, mrkd}) {
    const metrics::ScoredImage scored = score_map("cat/test/bad/000", Label::anomalous, 1.0f, map, mask, mask.size(), frame, protocol);
    CHECK(scored.map.size() == cv::Size(16, 16));
    REQUIRE(scored.mask.size() == cv::Size(16, 16));
    CHECK(cv::norm(scored.mask, datasets::prepare_mask(mask, frame), cv::NORM_INF) == 0.0);
  }
  const auto rd_mask = score_map("a", Label::anomalous, 1.0f, map, mask, mask.size(), rd, protocol).mask;
  const auto mrkd_mask = score_map("a", Label::anomalous, 1.0f, map, mask, mask.size(), mrkd, protocol).mask;
  CHECK(cv::countNonZero(rd_mask != mrkd_mask) > 0);  // the rule matters

  // Native resolution: the map comes to the mask, the mask stays as published.
  const metrics::ScoredImage native = score_map("a", Label::anomalous, 1.0f, map, mask, mask.size(), rd, EvalProtocol{});
  CHECK(native.map.size() == mask.size());
  CHECK(cv::norm(native.mask, mask, cv::NORM_INF) == 0.0);
  // A normal image without a mask gets an all-zero one at the scored resolution.
  CHECK(score_map("b", Label::normal, 0.0f, map, cv::Mat(), mask.size(), rd, protocol).mask.size() == cv::Size(16, 16));
  CHECK_THROWS_AS(score_map("c", Label::normal, 0.0f, cv::Mat(), cv::Mat(), mask.size(), rd, protocol), InternalError);
}

TEST_CASE("the protocol's metric settings reach the metrics, RD4AD's thresholds and FPR limit included", "[scoring]") {
  EvalProtocol protocol;
  protocol.pro_limit = 0.05;
  protocol.rd4ad_policy = metrics::Rd4adPolicy::zero;
  protocol.rd4ad_thresholds = 77;
  protocol.rd4ad_fpr_limit = 0.2;
  const metrics::EvalOptions options = metric_options(protocol, 3);
  CHECK(options.pro_limit == 0.05);
  CHECK(options.threads == 3);
  CHECK(options.rd4ad.policy == metrics::Rd4adPolicy::zero);
  CHECK(options.rd4ad.thresholds == 77);
  CHECK(options.rd4ad.fpr_limit == 0.2);
}

TEST_CASE("kdad run places a cropping method's maps on non-square images where the defects are", "[scoring][runner]") {
  test::TempDir dir;
  // 96×48 images of flat grey with faint noise; each anomalous one has a bright 10×10 square at
  // columns 58..67, inside the centre crop (columns 24..71) but far from the crop's centre, so a
  // map stretched over the whole width would put it at columns 68..87.
  const fs::path root = dir / "data" / "plate";
  cv::RNG rng(5);
  auto image = [&](bool defect) {
    cv::Mat m(48, 96, CV_8UC3);
    rng.fill(m, cv::RNG::UNIFORM, 95, 105);
    if (defect) m(cv::Rect(58, 19, 10, 10)).setTo(cv::Scalar::all(250));
    return m;
  };
  for (int i = 0; i < 6; ++i) datasets::write_image(root / "train" / "good" / fmt::format("{:03d}.png", i), image(false));
  for (int i = 0; i < 3; ++i) datasets::write_image(root / "test" / "good" / fmt::format("{:03d}.png", i), image(false));
  for (int i = 0; i < 3; ++i) {
    datasets::write_image(root / "test" / "spot" / fmt::format("{:03d}.png", i), image(true));
    cv::Mat mask = cv::Mat::zeros(48, 96, CV_8UC1);
    mask(cv::Rect(58, 19, 10, 10)).setTo(255);
    datasets::write_image(root / "ground_truth" / "spot" / fmt::format("{:03d}_mask.png", i), mask);
  }
  std::ofstream(dir / "study.toml") << R"(name = "non-square"
database = "kdad.sqlite"
artifacts = "artifacts"
threads = 1
export_maps = true

[[method]]
id = "pixel_stats"
options = { size = 24, frame = "crop" }

[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
)";
  methods::MethodRegistry registry;
  test::register_test_methods(registry);
  std::ostringstream out;
  REQUIRE(run_study(read_manifest(dir / "study.toml", registry), registry, {}, "kdad run study.toml", out).failed == 0);
  // The same study scored at the method's resolution: the 24×24 crop against masks shrunk by nearest.
  std::ofstream(dir / "study.toml", std::ios::app) << "\n[protocol]\nresolution = \"method\"\n";
  const Manifest at_method = read_manifest(dir / "study.toml", registry);
  CHECK(at_method.protocol.resolution == MapResolution::method);
  REQUIRE(run_study(at_method, registry, {}, "kdad run study.toml", out).failed == 0);

  reports::Database db(dir / "kdad.sqlite", reports::Database::Mode::read_only);
  auto query = db.prepare("SELECT value, protocol, details FROM metrics JOIN cells ON cells.id = cell_id "
                          "WHERE name = 'pixel_auroc' ORDER BY protocol LIKE '%method%'");
  REQUIRE(query.step());
  CHECK(query.column_double(0) > 0.99);  // stretched over the whole width, the maps miss the squares
  REQUIRE(query.step());
  CHECK(query.column_double(0) > 0.99);
  CHECK_THAT(query.column_text(1), Contains("\"resolution\":\"method\"") && Contains("\"mask_resize\":\"method\""));
  const auto method_details = nlohmann::json::parse(query.column_text(2));
  CHECK(method_details.value("mask_resize", "") == "nearest");
  CHECK_FALSE(query.step());
  // The gallery of the method-resolution cell draws the crop's map where the crop came from: in
  // the overlay half of a detection panel (160 px; the 96×48 image letterboxed at 5/3 scale, 40 px
  // down), the square at x 58..67 is hot and the part left of the crop is cold.
  const cv::Mat panel = cv::imread(method_details["artifacts"].get<std::string>() + "/gallery/detected_0.jpg", cv::IMREAD_COLOR);
  REQUIRE(panel.size() == cv::Size(320, 160));
  const cv::Vec3b on_defect = panel.at<cv::Vec3b>(40 + 39, 160 + 104);
  const cv::Vec3b left_of_crop = panel.at<cv::Vec3b>(40 + 39, 160 + 17);
  CHECK(on_defect[2] > on_defect[0] + 60);        // red over blue (BGR)
  CHECK(left_of_crop[0] > left_of_crop[2] + 30);  // blue over red
  std::size_t checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "artifacts")) {
    if (entry.path().extension() != ".tiff" || entry.path().parent_path().filename() != "spot") continue;
    const cv::Mat map = datasets::read_anomaly_map(entry.path());
    REQUIRE(map.size() == cv::Size(96, 48));
    const cv::Point peak = argmax(map);
    INFO(entry.path() << " peak at " << peak);
    CHECK(peak.x >= 58);
    CHECK(peak.x <= 67);
    CHECK(peak.y >= 19);
    CHECK(peak.y <= 28);
    double low = 0;
    cv::minMaxLoc(map, &low);
    CHECK(map.at<float>(24, 5) == static_cast<float>(low));  // left of the crop: the minimum
    ++checked;
  }
  CHECK(checked == 6);  // both cells export their maps in the image frame, whatever the protocol
}

TEST_CASE("kdad eval reads any dataset format through the registry and scores at either resolution", "[scoring][eval]") {
  test::TempDir dir;
  const test::WrittenMasks masks = test::write_ksdd2(dir / "ksdd2");
  // Perfect maps (each test image's own mask) at the 63×23 image size. KolektorSDD2's ids are
  // "test/<stem>": the maps folder is "test", not the category's name.
  std::size_t written = 0;
  for (const auto& entry : fs::directory_iterator(dir / "ksdd2" / "test")) {
    const std::string stem = entry.path().stem().string();
    if (stem.find("_GT") != std::string::npos) continue;
    const std::string id = "test/" + stem;
    const cv::Mat image = datasets::read_image(entry.path());
    cv::Mat map = cv::Mat::zeros(image.size(), CV_32F);
    if (masks.count(id)) masks.at(id).convertTo(map, CV_32F);
    datasets::write_anomaly_map(dir / "maps" / (id + ".tiff"), map);
    ++written;
  }
  REQUIRE(written == 4);
  auto eval = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"kdad", "eval", "--format", "ksdd2", "--dataset", (dir / "ksdd2").string(),
                                     "--maps", (dir / "maps").string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out;
    const methods::MethodRegistry registry;
    if (run_invocation(parse_command_line(static_cast<int>(argv.size()), argv.data()), registry, out) != 0) {
      throw std::runtime_error("non-zero exit code");
    }
    return nlohmann::json::parse(out.str());
  };
  const nlohmann::json native = eval({});
  REQUIRE(native["categories"].size() == 1);
  const auto& cell = native["categories"][0];
  CHECK(cell["dataset_format"] == "ksdd2");
  CHECK(cell["metrics"]["pixel_auroc"] == Approx(1.0));
  CHECK(cell["metrics"]["image_auroc"] == Approx(1.0));

  const nlohmann::json method = eval({"--resolution", "method", "--mask-resize", "bilinear_threshold"});
  CHECK(method["protocol"]["id"] != native["protocol"]["id"]);
  CHECK(method["protocol"]["resolution"] == "method");
  CHECK(method["protocol"]["mask_resize"] == "bilinear_threshold");
  CHECK(native["protocol"]["resolution"] == "native");
  CHECK(method["categories"][0]["metrics"]["pixel_auroc"] == Approx(1.0));

  // A map folder holding something that is no test image of the dataset is refused.
  datasets::write_anomaly_map(dir / "maps" / "train" / "extra.tiff", cv::Mat::zeros(4, 4, CV_32F));
  CHECK_THROWS_WITH(eval({}), Contains("extra entry in the maps folder"));
}

TEST_CASE("further AU-PRO limits: in the protocol and its id, from a manifest, from kdad eval", "[scoring][eval]") {
  test::TempDir dir;
  EvalProtocol with;
  with.extra_pro_limits = {0.05};
  CHECK(protocol_id(with) != protocol_id(EvalProtocol{}));
  CHECK_THAT(canonical_json(with), Contains("\"extra_pro_limits\":[0.05]"));
  CHECK(canonical_json(parse_protocol_json(canonical_json(with), "test")) == canonical_json(with));
  CHECK(metric_options(with, 1).extra_pro_limits == std::vector<double>{0.05});
  CHECK_THROWS_WITH(check_extra_pro_limits({0.05, 0.05}, 0.3, "x"), Contains("listed twice"));
  CHECK_THROWS_WITH(check_extra_pro_limits({0.3}, 0.3, "x"), Contains("already the AU-PRO limit"));
  CHECK_THROWS_WITH(check_extra_pro_limits({1.5}, 0.3, "x"), Contains("outside (0, 1]"));

  methods::MethodRegistry registry;
  test::register_test_methods(registry);
  datasets::make_synthetic_dataset(dir / "data", {{"disc"}, 32, 2, 2, 1, 0});
  const std::string study = "database = \"k.sqlite\"\n[[method]]\nid = \"pixel_stats\"\n[[dataset]]\nformat = \"mvtec_ad\"\n"
                            "root = \"data\"\ncategories = \"all\"\n[protocol]\n";
  std::ofstream(dir / "a.toml") << study << "extra_pro_limits = [0.05, 0.01]\n";
  CHECK(read_manifest(dir / "a.toml", registry).protocol.extra_pro_limits == std::vector<double>{0.05, 0.01});
  std::ofstream(dir / "b.toml") << study << "extra_pro_limits = [0.05, 0.05, \"x\"]\n";
  CHECK_THROWS_WITH(read_manifest(dir / "b.toml", registry), Contains("b.toml:9:") && Contains("list of numbers"));
  std::ofstream(dir / "c.toml") << study << "pro_limit = 0.05\nextra_pro_limits = [0.05]\n";
  CHECK_THROWS_WITH(read_manifest(dir / "c.toml", registry), Contains("already the AU-PRO limit"));

  // kdad eval: au_pro_0.05 beside au_pro equals au_pro of an evaluation to 0.05.
  datasets::SimulatedMapsSpec maps;
  datasets::write_simulated_maps(datasets::MvtecAd(dir / "data"), {"disc"}, dir / "maps", maps);
  auto eval = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"kdad", "eval", "--dataset", (dir / "data").string(), "--maps", (dir / "maps").string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out;
    const methods::MethodRegistry none;
    if (run_invocation(parse_command_line(static_cast<int>(argv.size()), argv.data()), none, out) != 0) throw std::runtime_error("exit");
    return nlohmann::json::parse(out.str())["categories"][0]["metrics"];
  };
  const auto both = eval({"--extra-limits", "0.05"});
  const auto narrow = eval({"--limit", "0.05"});
  const auto wide = eval({});
  REQUIRE(both.contains("au_pro_0.05"));
  CHECK(both["au_pro_0.05"].get<double>() == narrow["au_pro"].get<double>());
  CHECK(both["au_pro"].get<double>() == wide["au_pro"].get<double>());
  CHECK_FALSE(wide.contains("au_pro_0.05"));
  CHECK_THROWS_WITH(eval({"--extra-limits", "0.05,abc"}), Contains("'abc' is not a number"));
}

TEST_CASE("files operating systems leave behind are skipped alike by readers verify and kdad eval", "[scoring][eval][datasets]") {
  test::TempDir dir;
  datasets::make_synthetic_dataset(dir / "data", {{"disc"}, 32, 2, 2, 1, 0});
  datasets::write_simulated_maps(datasets::MvtecAd(dir / "data"), {"disc"}, dir / "maps", datasets::SimulatedMapsSpec{});
  const auto clean = datasets::MvtecAd(dir / "data").split("disc");
  // macOS's AppleDouble twins and Finder files, Windows's thumbnails: in the layout and in the maps.
  const cv::Mat image = datasets::read_image(clean.test.front().image);
  datasets::write_image(dir / "data" / "disc" / "test" / "good" / "._000.png", image);
  datasets::write_image(dir / "data" / "disc" / "train" / "good" / "._000.png", image);
  std::ofstream(dir / "data" / "disc" / "test" / "good" / "Thumbs.db") << "x";
  std::ofstream(dir / "data" / "disc" / ".DS_Store") << "x";
  std::ofstream(dir / "maps" / "disc" / "test" / "good" / "Thumbs.db") << "x";
  std::ofstream(dir / "maps" / "disc" / "test" / "good" / "._000.tiff") << "x";
  std::ofstream(dir / "maps" / "Desktop.ini") << "x";
  const auto split = datasets::MvtecAd(dir / "data").split("disc");
  CHECK(split.test.size() == clean.test.size());
  CHECK(split.train.size() == clean.train.size());
  CHECK(datasets::verify_dataset(datasets::MvtecAd(dir / "data"), {"disc"}, 1).problems.empty());
  std::vector<std::string> args = {"kdad", "eval", "--dataset", (dir / "data").string(), "--maps", (dir / "maps").string(), "--json"};
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  const methods::MethodRegistry none;
  CHECK(run_invocation(parse_command_line(static_cast<int>(argv.size()), argv.data()), none, out) == 0);
  CHECK(datasets::is_os_junk("a/._x.png"));
  CHECK(datasets::is_os_junk("THUMBS.DB"));
  CHECK_FALSE(datasets::is_os_junk("a/b/000.png"));
}
