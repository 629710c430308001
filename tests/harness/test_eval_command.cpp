// End-to-end `kdad eval` on a generated dataset: values, store records, and every input error.
#include "core/error.h"
#include "datasets/image_io.h"
#include "datasets/mvtec_ad.h"
#include "datasets/simulated_maps.h"
#include "datasets/synthetic.h"
#include "harness/cli/app.h"
#include "harness/cli/cli.h"
#include "reports/sqlite.h"
#include "reports/store.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

#include <fstream>
#include <sstream>
#include <stdexcept>

using namespace kdad;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  test::TempDir dir;
  fs::path data = dir / "data";
  fs::path maps = dir / "maps";
  Fixture() {
    // categories, side, train, test good, test per defect, seed
    const datasets::SyntheticSpec spec{{"speckle", "disc"}, 64, 1, 3, 2, 0};
    datasets::make_synthetic_dataset(data, spec);
    datasets::SimulatedMapsSpec maps_spec;
    maps_spec.strength = 1.5;
    datasets::write_simulated_maps(datasets::MvtecAd(data), spec.categories, maps, maps_spec);
  }
};

std::string run(std::vector<std::string> args) {
  args.insert(args.begin(), "kdad");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  const auto invocation = harness::parse_command_line(static_cast<int>(argv.size()), argv.data());
  const methods::MethodRegistry registry;
  if (harness::run_invocation(invocation, registry, out) != 0) throw std::runtime_error("non-zero exit code");
  return out.str();
}

nlohmann::json eval_json(const Fixture& f, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"eval", "--dataset", f.data.string(), "--maps", f.maps.string(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return nlohmann::json::parse(run(args));
}

}  // namespace

TEST_CASE("kdad eval reports every category / means and counts", "[harness][e2e]") {
  Fixture f;
  const auto doc = eval_json(f);
  REQUIRE(doc["categories"].size() == 2);
  const auto& disc = doc["categories"][0];
  CHECK(disc["category"] == "disc");
  CHECK(disc["images"] == 11);
  CHECK(disc["anomalous_images"] == 8);
  CHECK(disc["regions"].get<int>() >= 8);
  for (const char* name : {"image_auroc", "pixel_auroc", "au_pro", "au_pro_rd4ad"}) {
    INFO(name);
    const double value = disc["metrics"][name].get<double>();
    CHECK(value > 0.5);  // the simulated detector responds on the defects
    CHECK(value <= 1.0);
  }
  const double prevalence = disc["defect_pixels"].get<double>() /
                            (disc["defect_pixels"].get<double>() + disc["normal_pixels"].get<double>());
  CHECK(disc["metrics"]["pixel_ap"].get<double>() > 2 * prevalence);
  const double mean = doc["mean"]["au_pro"];
  const double a = doc["categories"][0]["metrics"]["au_pro"], b = doc["categories"][1]["metrics"]["au_pro"];
  CHECK(mean == Approx((a + b) / 2));
  CHECK(doc["protocol"]["pro_limit"] == 0.3);
  const auto table = run({"eval", "--dataset", f.data.string(), "--maps", f.maps.string()});
  CHECK_THAT(table, Contains("AU-PRO") && Contains("disc") && Contains("speckle") && Contains("mean"));
}

TEST_CASE("kdad eval stores one cell per category and never duplicates a repeated evaluation", "[harness][e2e]") {
  Fixture f;
  const std::string db = (f.dir / "results" / "kdad.sqlite").string();
  const auto first = eval_json(f, {"--store", db});
  CHECK(first["store"]["cells_inserted"] == 2);
  const auto second = eval_json(f, {"--store", db});
  CHECK(second["store"]["cells_inserted"] == 0);
  CHECK(second["store"]["cells_replaced"] == 2);
  const auto other_limit = eval_json(f, {"--store", db, "--limit", "0.05"});
  CHECK(other_limit["store"]["cells_inserted"] == 2);
  reports::Database read(db, reports::Database::Mode::read_only);
  auto cells = read.prepare("SELECT count(*), count(DISTINCT protocol_id) FROM cells");
  REQUIRE(cells.step());
  CHECK(cells.column_int(0) == 4);
  CHECK(cells.column_int(1) == 2);
  auto runs = read.prepare("SELECT count(*), min(status), max(git_sha) FROM runs");
  REQUIRE(runs.step());
  CHECK(runs.column_int(0) == 3);
  CHECK(runs.column_text(1) == "ok");
  auto value = read.prepare("SELECT value FROM metrics JOIN cells ON cells.id = cell_id "
                            "WHERE category = 'disc' AND name = 'au_pro' AND protocol_id = ?1");
  value.bind(1, first["protocol"]["id"].get<std::string>());
  REQUIRE(value.step());
  CHECK(value.column_double(0) == first["categories"][0]["metrics"]["au_pro"].get<double>());
}

TEST_CASE("maps of another size are resized to the ground truth", "[harness][e2e]") {
  Fixture f;
  const fs::path file = f.maps / "disc" / "test" / "good" / "000.tiff";
  const cv::Size native = datasets::read_anomaly_map(file).size();
  cv::Mat small = cv::Mat::zeros(native.height / 2, native.width / 2, CV_32F);
  small.at<float>(5, 7) = 9.0f;  // one peak: bilinear upscaling lowers it
  datasets::write_anomaly_map(file, small);
  const std::string db = (f.dir / "r.sqlite").string();
  const auto doc = eval_json(f, {"--categories", "disc", "--store", db});
  CHECK(doc["categories"][0]["resized_maps"] == 1);

  // The same map resized here (OpenCV bilinear, half-pixel centres) and given at native size must
  // give the same pixel metrics: the resize is that one.
  fs::copy(f.maps, f.dir / "native_maps", fs::copy_options::recursive);
  cv::Mat resized;
  cv::resize(small, resized, native, 0, 0, cv::INTER_LINEAR);
  datasets::write_anomaly_map(f.dir / "native_maps" / "disc" / "test" / "good" / "000.tiff", resized);
  const auto native_doc = nlohmann::json::parse(run({"eval", "--dataset", f.data.string(), "--maps",
                                                     (f.dir / "native_maps").string(), "--categories", "disc", "--json"}));
  CHECK(native_doc["categories"][0]["resized_maps"] == 0);
  for (const char* metric : {"pixel_auroc", "pixel_ap", "pixel_f1_max", "au_pro", "au_pro_rd4ad"}) {
    INFO(metric);
    CHECK(doc["categories"][0]["metrics"][metric] == native_doc["categories"][0]["metrics"][metric]);
  }
  // The image score is the maximum of the map as stored, before the resize.
  double resized_max = 0;
  cv::minMaxLoc(resized, nullptr, &resized_max);
  REQUIRE(resized_max < 9.0);
  bool found = false;
  const auto stored = reports::ResultsStore::open_for_reading(db).cells();
  REQUIRE(!stored.empty());
  for (const auto& image : stored.at(0).record.images) {
    if (image.sample_id != "disc/test/good/000") continue;
    found = true;
    CHECK(image.score == 9.0);
  }
  CHECK(found);
}

TEST_CASE("kdad eval names a missing map / an extra map / a bad map and a bad scores file", "[harness][e2e]") {
  Fixture f;
  const std::vector<std::string> base = {"eval", "--dataset", f.data.string(), "--maps", f.maps.string(), "--json"};
  auto run_with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  SECTION("missing map") {
    fs::remove(f.maps / "disc" / "test" / "blob" / "001.tiff");
    CHECK_THROWS_WITH(run_with({}), Contains("disc/test/blob/001.tiff") && Contains("missing anomaly map"));
  }
  SECTION("extra map") {
    fs::copy_file(f.maps / "disc" / "test" / "blob" / "001.tiff", f.maps / "disc" / "test" / "blob" / "009.tiff");
    CHECK_THROWS_WITH(run_with({}), Contains("009.tiff") && Contains("extra file"));
  }
  SECTION("extra category folder") {
    fs::create_directories(f.maps / "carpet" / "test" / "good");
    CHECK_THROWS_WITH(run_with({}), Contains("carpet") && Contains("no such category"));
    CHECK_NOTHROW(run_with({"--categories", "disc"}));
  }
  SECTION("missing category folder") {
    fs::remove_all(f.maps / "speckle");
    CHECK_THROWS_WITH(run_with({}), Contains("speckle") && Contains("no maps"));
  }
  SECTION("NaN in a map") {
    const fs::path file = f.maps / "speckle" / "test" / "edge" / "000.tiff";
    cv::Mat map = datasets::read_anomaly_map(file);
    map.at<float>(3, 4) = std::numeric_limits<float>::quiet_NaN();
    datasets::write_anomaly_map(file, map);
    CHECK_THROWS_WITH(run_with({}), Contains("edge/000.tiff") && Contains("NaN") && Contains("x=4, y=3"));
  }
  SECTION("unreadable map") {
    std::ofstream(f.maps / "disc" / "test" / "good" / "000.tiff") << "garbage";
    CHECK_THROWS_WITH(run_with({}), Contains("good/000.tiff") && Contains("not a PNG, JPEG, TIFF or BMP file"));
  }
  SECTION("scores file without a score for an image") {
    std::ofstream(f.dir / "scores.csv") << "disc/test/good/000,0.5\n";
    CHECK_THROWS_WITH(run_with({"--scores", (f.dir / "scores.csv").string(), "--categories", "disc"}),
                      Contains("scores.csv") && Contains("no score for image"));
  }
  SECTION("unknown category") {
    CHECK_THROWS_WITH(run_with({"--categories", "carpet"}), Contains("no such category"));
  }
  SECTION("nothing is stored when the inputs are wrong") {
    fs::remove(f.maps / "speckle" / "test" / "spots" / "000.tiff");
    const std::string db = (f.dir / "r.sqlite").string();
    CHECK_THROWS_AS(run_with({"--store", db}), DataError);
    CHECK_FALSE(fs::exists(db));
  }
}

TEST_CASE("a scores file replaces the map maxima as image scores", "[harness][e2e]") {
  Fixture f;
  std::ofstream scores(f.dir / "scores.csv");
  scores << "image,score\n";
  for (const auto& ref : datasets::MvtecAd(f.data).split("disc").test) {
    scores << ref.id << ".png," << (ref.label == Label::anomalous ? 1.0 : 0.0) << "\n";
  }
  scores.close();
  const auto doc = eval_json(f, {"--categories", "disc", "--scores", (f.dir / "scores.csv").string()});
  CHECK(doc["categories"][0]["metrics"]["image_auroc"] == 1.0);
  CHECK(doc["protocol"]["image_score"] == "scores_file");
}

TEST_CASE("kdad eval stores each image's score and a gallery of the most telling images", "[harness][e2e]") {
  Fixture f;
  const std::string db = (f.dir / "r.sqlite").string();
  run({"eval", "--dataset", f.data.string(), "--maps", f.maps.string(), "--categories", "disc", "--store", db,
       "--gallery", (f.dir / "gallery").string()});
  reports::ResultsStore store = reports::ResultsStore::open_for_reading(db);
  const auto cells = store.cells();
  REQUIRE(cells.size() == 1);
  const auto& c = cells[0].record;
  const auto split = datasets::MvtecAd(f.data).split("disc");
  REQUIRE(c.images.size() == split.test.size());
  float highest_normal = -1e30f;
  for (std::size_t i = 0; i < split.test.size(); ++i) {
    CHECK(c.images[i].sample_id == split.test[i].id);
    const float map_max = [&] {
      double lo = 0, hi = 0;
      cv::minMaxLoc(datasets::read_anomaly_map(f.maps / (split.test[i].id + ".tiff")), &lo, &hi);
      return static_cast<float>(hi);
    }();
    CHECK(c.images[i].score == static_cast<double>(map_max));  // the image score is the map maximum
    if (c.images[i].label == 0) highest_normal = std::max(highest_normal, map_max);
  }
  // 3 normal and 8 anomalous test images: 3 false alarms, 4 misses, 4 detections.
  REQUIRE(c.artifacts.size() == 11);
  const auto& first_false_alarm = c.artifacts[0];
  CHECK(first_false_alarm.role == "false_alarm");
  for (const auto& image : c.images) {
    if (image.sample_id == first_false_alarm.sample_id) CHECK(image.score == static_cast<double>(highest_normal));
  }
  for (const auto& a : c.artifacts) CHECK(fs::exists(a.path));
}
