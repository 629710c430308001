// The MVTec AD 2 protocol: SegF1 with its threshold from defect-free validation images (the
// dataset's validation split, or held-out training normals elsewhere), the validation statistics
// and the pooled F1 themselves, and the submission layout (float16 TIFFs, thresholded PNGs, counts).
#include "datasets/image_io.h"
#include "datasets/synthetic.h"
#include "datasets/layout_fixtures.h"
#include "harness/cli/app.h"
#include "harness/cli/cli.h"
#include "harness/scoring/scoring.h"
#include "harness/study/manifest.h"
#include "harness/study/runner.h"
#include "metrics/threshold_f1.h"
#include "pixel_stats_method.h"
#include "reports/sqlite.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace kdad;
using namespace kdad::harness;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// The pixels of an uncompressed float16 TIFF written by write_float16_tiff, checked field by field.
cv::Mat read_float16_tiff(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 8);
  REQUIRE(bytes.substr(0, 4) == std::string("II*\0", 4));
  auto u16 = [&](std::size_t at) { std::uint16_t v; std::memcpy(&v, bytes.data() + at, 2); return v; };
  auto u32 = [&](std::size_t at) { std::uint32_t v; std::memcpy(&v, bytes.data() + at, 4); return v; };
  const std::uint32_t ifd = u32(4);
  std::map<std::uint16_t, std::uint32_t> tags;
  for (std::uint16_t i = 0; i < u16(ifd); ++i) {
    const std::size_t at = ifd + 2 + 12u * i;
    tags[u16(at)] = u16(at + 2) == 3 ? u16(at + 8) : u32(at + 8);
  }
  CHECK(tags.at(258) == 16);  // bits per sample
  CHECK(tags.at(339) == 3);   // IEEE float
  CHECK(tags.at(277) == 1);   // one channel
  CHECK(tags.at(259) == 1);   // uncompressed
  cv::Mat half(static_cast<int>(tags.at(257)), static_cast<int>(tags.at(256)), CV_16F);
  REQUIRE(tags.at(279) == half.total() * 2);
  std::memcpy(half.data, bytes.data() + tags.at(273), half.total() * 2);
  cv::Mat out;
  half.convertTo(out, CV_32F);
  return out;
}

}  // namespace

TEST_CASE("validation pixel statistics are exact beside a large mean, and the pooled F1 counts every pixel", "[metrics]") {
  metrics::PixelStatistics stats;
  std::vector<double> all;
  for (int m = 0; m < 3; ++m) {
    cv::Mat map(5 + m, 7, CV_32F);
    for (int i = 0; i < static_cast<int>(map.total()); ++i) {
      map.at<float>(i) = 1000.0f + static_cast<float>((i * 7 + m * 3) % 11) * 0.001f;
      all.push_back(map.at<float>(i));
    }
    stats.add(map);
  }
  double mean = 0, deviations = 0;
  for (double v : all) mean += v;
  mean /= static_cast<double>(all.size());
  for (double v : all) deviations += (v - mean) * (v - mean);
  CHECK(stats.pixels() == all.size());
  CHECK(stats.mean() == Approx(mean).epsilon(1e-15));
  CHECK(stats.standard_deviation() == Approx(std::sqrt(deviations / static_cast<double>(all.size()))).epsilon(1e-9));

  // 2 images of 4 pixels: TP 2, FP 1, FN 1 at threshold 0.5 (≥): F1 = 4 / 6.
  metrics::ScoredImage a, b;
  a.map = (cv::Mat_<float>(2, 2) << 0.9f, 0.5f, 0.1f, 0.2f);
  a.mask = (cv::Mat_<std::uint8_t>(2, 2) << 1, 0, 1, 0);
  b.map = (cv::Mat_<float>(2, 2) << 0.7f, 0.0f, 0.0f, 0.0f);
  b.mask = (cv::Mat_<std::uint8_t>(2, 2) << 1, 0, 0, 0);
  const std::vector<metrics::ScoredImage> images = {a, b};
  CHECK(*metrics::pooled_f1_at(images, 0.5) == Approx(4.0 / 6.0));
  b.mask = cv::Mat();  // b alone has no defect pixel: undefined, not 0
  CHECK(metrics::pooled_f1_at(std::vector<metrics::ScoredImage>{b}, 0.5) == std::nullopt);
}

TEST_CASE("MVTec AD 2: SegF1 at mean + 3 sigma of the validation maps, and the server's submission layout", "[scoring][mvtec_ad2]") {
  test::TempDir dir;
  test::write_mvtec_ad2(dir / "ad2");
  std::ofstream(dir / "study.toml") << R"(name = "ad2"
database = "k.sqlite"
artifacts = "artifacts"
export_maps = true
gallery = false

[protocol]
pro_limit = 0.3
extra_pro_limits = [0.05]
seg_f1 = true

[[method]]
id = "pixel_stats"
options = { size = 8 }

[[dataset]]
format = "mvtec_ad2"
root = "ad2"
categories = "all"
)";
  methods::MethodRegistry registry;
  test::register_test_methods(registry);
  std::ostringstream out;
  REQUIRE(run_study(read_manifest(dir / "study.toml", registry), registry, {}, "kdad run", out).failed == 0);

  // The threshold comes from the validation images alone: other validation images move it, another
  // test image does not.
  auto threshold_of = [&](const std::string& name, const std::function<void(const fs::path&)>& change) {
    fs::create_directories(dir / name);
    fs::copy(dir / "ad2", dir / name / "ad2", fs::copy_options::recursive);
    change(dir / name / "ad2" / "can");
    fs::copy_file(dir / "study.toml", dir / name / "study.toml");
    REQUIRE(run_study(read_manifest(dir / name / "study.toml", registry), registry, {}, "kdad run", out).failed == 0);
    reports::Database other(dir / name / "k.sqlite", reports::Database::Mode::read_only);
    auto q = other.prepare("SELECT value FROM metrics WHERE name = 'seg_f1_threshold'");
    REQUIRE(q.step());
    return q.column_double(0);
  };
  const double bright_validation = threshold_of("bright_validation", [](const fs::path& can) {
    for (const auto& file : fs::directory_iterator(can / "validation" / "good")) {
      datasets::write_image(file.path(), cv::Mat(datasets::read_image(file.path()).size(), CV_8UC3, cv::Scalar::all(255)));
    }
  });
  const double other_test = threshold_of("other_test", [](const fs::path& can) {
    const fs::path file = can / "test_public" / "good" / "000_regular.png";
    datasets::write_image(file, cv::Mat(datasets::read_image(file).size(), CV_8UC3, cv::Scalar::all(255)));
  });

  reports::Database db(dir / "k.sqlite", reports::Database::Mode::read_only);
  auto query = db.prepare("SELECT details FROM cells");
  REQUIRE(query.step());
  const auto details = nlohmann::json::parse(query.column_text(0));
  INFO(details.dump(2));
  CHECK(details["validation_images"] == 2);
  CHECK(details["validation_source"] == "the dataset's validation split");
  CHECK(details["train_images"] == 3);  // the validation images are not trained on, and none is held out
  const auto& submission = details["mvtec_ad2_submission"];
  CHECK(submission["objects"]["can"]["test_private"] == 2);
  CHECK(submission["objects"]["can"]["test_private_mixed"] == 1);
  CHECK(submission["objects"]["can"]["published"] == 321);
  CHECK(submission["complete"] == false);  // a fixture, not the published dataset
  auto metric = [&](const std::string& name) {
    auto q = db.prepare("SELECT value FROM metrics WHERE name = ?1");
    q.bind(1, name);
    REQUIRE(q.step());
    return q.column_double(0);
  };
  const double threshold = metric("seg_f1_threshold");
  CHECK(bright_validation != threshold);
  CHECK(other_test == threshold);
  CHECK(metric("seg_f1") >= 0.0);
  CHECK(metric("au_pro_0.05") >= 0.0);

  // The files: float16 maps in the image frame; thresholded PNGs of 0 and 255 at that threshold.
  const fs::path folder = submission["folder"].get<std::string>();
  for (const char* id : {"can/test_private/000_regular", "can/test_private/001_overexposed", "can/test_private_mixed/000_mixed"}) {
    INFO(id);
    const cv::Mat half = read_float16_tiff(folder / "anomaly_images" / (std::string(id) + ".tiff"));
    const cv::Mat image = datasets::read_image(dir / "ad2" / (std::string(id) + ".png"));
    CHECK(half.size() == image.size());
    const cv::Mat exported = datasets::read_anomaly_map(fs::path(details["artifacts"].get<std::string>()) / "maps" / (std::string(id) + ".tiff"));
    cv::Mat rounded;
    exported.convertTo(rounded, CV_16F);
    rounded.convertTo(rounded, CV_32F);
    CHECK(cv::norm(half, rounded, cv::NORM_INF) == 0.0);  // the float32 export, rounded to float16
    const cv::Mat binary = cv::imread((folder / "anomaly_images_thresholded" / (std::string(id) + ".png")).string(), cv::IMREAD_UNCHANGED);
    REQUIRE(binary.size() == image.size());
    CHECK(cv::countNonZero((binary != 0) & (binary != 255)) == 0);
    CHECK(cv::countNonZero(binary) == cv::countNonZero(exported >= threshold));
  }
}

TEST_CASE("SegF1 on a dataset without a validation split holds out training normals, never trained on", "[scoring]") {
  test::TempDir dir;
  datasets::make_synthetic_dataset(dir / "data", {{"disc"}, 32, 10, 2, 1, 0});
  const std::string study = "database = \"k.sqlite\"\ngallery = false\n[[method]]\nid = \"pixel_stats\"\noptions = { size = 8 }\n"
                            "[[dataset]]\nformat = \"mvtec_ad\"\nroot = \"data\"\ncategories = \"all\"\n";
  std::ofstream(dir / "plain.toml") << study;
  std::ofstream(dir / "seg.toml") << study << "[protocol]\nseg_f1 = true\nvalidation_fraction = 0.2\n";
  methods::MethodRegistry registry;
  test::register_test_methods(registry);
  std::ostringstream out;
  REQUIRE(run_study(read_manifest(dir / "plain.toml", registry), registry, {}, "kdad run", out).failed == 0);
  REQUIRE(run_study(read_manifest(dir / "seg.toml", registry), registry, {}, "kdad run", out).failed == 0);
  reports::Database db(dir / "k.sqlite", reports::Database::Mode::read_only);
  auto query = db.prepare("SELECT details, dataset_fingerprint, protocol FROM cells ORDER BY id");
  REQUIRE(query.step());
  const auto plain = nlohmann::json::parse(query.column_text(0));
  const std::string plain_fingerprint = query.column_text(1);
  REQUIRE(query.step());
  const auto seg = nlohmann::json::parse(query.column_text(0));
  CHECK(plain["train_images"] == 10);
  CHECK(seg["train_images"] == 8);
  CHECK(seg["validation_images"] == 2);
  CHECK(seg["validation_source"] == "held out from the training images");
  CHECK(query.column_text(1) != plain_fingerprint);  // the cell saw other training data
  CHECK_THAT(query.column_text(2), Contains("\"held_out_fraction\":0.2"));
  std::ofstream(dir / "bad.toml") << study << "[protocol]\nseg_f1 = true\nvalidation_fraction = 0.9\n";
  CHECK_THROWS_WITH(read_manifest(dir / "bad.toml", registry), Contains("validation_fraction 0.9 is outside (0, 0.5]"));
}

TEST_CASE("kdad eval --seg-f1 on the maps kdad run exported gives the run's SegF1 and threshold", "[scoring][eval]") {
  test::TempDir dir;
  for (const bool ad2 : {true, false}) {
    INFO((ad2 ? "MVTec AD 2 (validation split)" : "MVTec AD (held-out training images)"));
    const fs::path root = dir / (ad2 ? "ad2" : "ad");
    if (ad2) {
      test::write_mvtec_ad2(root);
    } else {
      datasets::make_synthetic_dataset(root, {{"disc"}, 32, 10, 2, 1, 0});
    }
    const std::string name = ad2 ? "ad2" : "ad";
    std::ofstream(dir / (name + ".toml")) << "database = \"" << name << ".sqlite\"\nartifacts = \"" << name
                                           << "_artifacts\"\nexport_maps = true\ngallery = false\n[protocol]\nseg_f1 = true\n"
                                           << "validation_fraction = 0.2\n[[method]]\nid = \"pixel_stats\"\noptions = { size = 8 }\n"
                                           << "[[dataset]]\nformat = \"" << (ad2 ? "mvtec_ad2" : "mvtec_ad") << "\"\nroot = \"" << name
                                           << "\"\ncategories = \"all\"\n";
    methods::MethodRegistry registry;
    test::register_test_methods(registry);
    std::ostringstream out;
    REQUIRE(run_study(read_manifest(dir / (name + ".toml"), registry), registry, {}, "kdad run", out).failed == 0);
    reports::Database db(dir / (name + ".sqlite"), reports::Database::Mode::read_only);
    auto query = db.prepare("SELECT json_extract(details, '$.artifacts'), "
                            "(SELECT value FROM metrics WHERE cell_id = cells.id AND name = 'seg_f1'), "
                            "(SELECT value FROM metrics WHERE cell_id = cells.id AND name = 'seg_f1_threshold') FROM cells");
    REQUIRE(query.step());
    const fs::path maps = fs::path(query.column_text(0)) / "maps";
    const double run_f1 = query.column_double(1), run_threshold = query.column_double(2);

    std::vector<std::string> args = {"kdad", "eval", "--format", ad2 ? "mvtec_ad2" : "mvtec_ad", "--dataset", root.string(),
                                     "--maps", maps.string(), "--seg-f1", "--validation-fraction", "0.2", "--json"};
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream eval_out;
    const methods::MethodRegistry none;
    REQUIRE(run_invocation(parse_command_line(static_cast<int>(argv.size()), argv.data()), none, eval_out) == 0);
    const auto cell = nlohmann::json::parse(eval_out.str())["categories"][0];
    CHECK(cell["metrics"]["seg_f1_threshold"].get<double>() == run_threshold);
    CHECK(cell["metrics"]["seg_f1"].get<double>() == run_f1);

    // Without the validation maps, SegF1 cannot be computed: the missing map is named.
    for (const auto& entry : fs::recursive_directory_iterator(maps)) {
      const std::string path = entry.path().string();
      if (entry.is_regular_file() && (path.find("/validation/") != std::string::npos || path.find("/train/") != std::string::npos)) {
        fs::remove(entry.path());
        break;
      }
    }
    std::ostringstream again;
    CHECK_THROWS_WITH(run_invocation(parse_command_line(static_cast<int>(argv.size()), argv.data()), none, again),
                      Contains("missing anomaly map for validation image"));
  }
}
