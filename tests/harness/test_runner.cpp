// The runner with the test-only method: manifests and their errors, grid keys, running, resume,
// failure isolation, determinism, exported maps.
#include "core/error.h"
#include "datasets/format.h"
#include "datasets/synthetic.h"
#include "harness/cli/app.h"
#include "harness/cli/cli.h"
#include "harness/study/grid.h"
#include "harness/study/manifest.h"
#include "harness/study/runner.h"
#include "pixel_stats_method.h"
#include "reports/sqlite.h"
#include "reports/store.h"
#include "reports/summary.h"
#include "datasets/mvtec_ad.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace kdad;
using namespace kdad::harness;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

struct Study {
  test::TempDir dir;
  methods::MethodRegistry registry;
  std::vector<methods::CellEnvironment> environments;
  Study() {
    test::register_test_methods(registry, &environments);
    datasets::make_synthetic_dataset(dir / "data", {{"weave", "disc"}, 64, 8, 4, 2, 0});
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return dir / name;
  }
  Manifest manifest(const std::string& extra_method_options = "", const std::string& seeds = "[0, 1]",
                    const std::string& top = "") const {
    return read_manifest(write("study.toml", top + R"(
name = "test"
database = "results/kdad.sqlite"
artifacts = "results/artifacts"
threads = 2
seeds = )" + seeds + R"(

[[method]]
id = "pixel_stats"
preset = "tiny"
options = { jitter = 0.01 )" + extra_method_options + R"( }

[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
)"),
                         registry);
  }
  RunSummary run(const Manifest& m, RunOptions options = {}) const {
    std::ostringstream out;
    return run_study(m, registry, options, "kdad run study.toml", out);
  }
};

std::vector<std::pair<std::string, double>> stored_metrics(const fs::path& db) {
  reports::Database read(db, reports::Database::Mode::read_only);
  auto query = read.prepare("SELECT cells.key || '/' || name, value FROM metrics JOIN cells ON cells.id = cell_id "
                            "WHERE value IS NOT NULL ORDER BY 1");
  std::vector<std::pair<std::string, double>> out;
  while (query.step()) out.emplace_back(query.column_text(0), query.column_double(1));
  return out;
}

}  // namespace

TEST_CASE("a manifest with many mistakes reports every one with its line before anything runs", "[runner]") {
  Study s;
  const auto file = s.write("bad.toml", R"(name = "bad"
seeds = [0, 0, -1]
device = "gpu"
colour = "blue"

[protocol]
pro_limit = 3.0

[[method]]
id = "pixel_stats"
preset = "huge"

[[method]]
id = "pixel_stats"
options = { size = "big", speed = 2 }

[[method]]
id = "nonexistent"

[[dataset]]
format = "mvtec_ad"
root = "data"
categories = ["weave", "carpet"]

[[dataset]]
format = "imagenet"
root = "data"

[[dataset]]
format = "visa"
root = "nowhere"
)");
  try {
    read_manifest(file, s.registry);
    FAIL("no error");
  } catch (const ManifestError& e) {
    const auto& p = e.problems();
    std::string all;
    for (const auto& line : p) all += line + "\n";
    INFO(all);
    CHECK(p.size() >= 10);
    CHECK_THAT(all, Contains("bad.toml:2:") && Contains("seed 0 is listed twice"));
    CHECK_THAT(all, Contains("non-negative"));
    CHECK_THAT(all, Contains("bad.toml:3:") && Contains("device 'gpu'"));
    CHECK_THAT(all, Contains("bad.toml:4:") && Contains("unknown key 'colour'"));
    CHECK_THAT(all, Contains("bad.toml:7:") && Contains("pro_limit 3"));
    CHECK_THAT(all, Contains("unknown preset 'huge'"));
    CHECK_THAT(all, Contains("unknown option") || Contains("not an integer"));
    CHECK_THAT(all, Contains("unknown method") && Contains("pixel_stats"));
    CHECK_THAT(all, Contains("no category 'carpet'"));
    CHECK_THAT(all, Contains("imagenet"));
    CHECK_THAT(all, Contains("nowhere"));
  }
  CHECK_FALSE(fs::exists(s.dir / "results"));
  CHECK_THROWS_WITH(read_manifest(s.write("syntax.toml", "name = \n[[method]\n"), s.registry), Contains("syntax.toml:1"));
  CHECK_THROWS_WITH(read_manifest(s.dir / "absent.toml", s.registry), Contains("manifest not found"));
}

TEST_CASE("the grid is methods x datasets x categories x seeds with stable distinct keys", "[runner]") {
  Study s;
  const Manifest m = s.manifest();
  const auto cells = expand_grid(m);
  REQUIRE(cells.size() == 4);
  CHECK(cells[0].name() == "pixel_stats[tiny]/mvtec_ad/disc/seed0");
  std::set<std::string> keys;
  for (const auto& c : cells) keys.insert(c.key);
  CHECK(keys.size() == 4);
  CHECK(expand_grid(s.manifest())[3].key == cells[3].key);
  CHECK(expand_grid(s.manifest(", size = 24"))[3].key != cells[3].key);  // options are part of the key
  const Manifest other_limit = read_manifest(s.write("l.toml", "seeds = [0, 1]\n[protocol]\npro_limit = 0.05\n"
                                                              "[[method]]\nid = \"pixel_stats\"\npreset = \"tiny\"\n"
                                                              "options = { jitter = 0.01 }\n"
                                                              "[[dataset]]\nformat = \"mvtec_ad\"\nroot = \"data\"\n"),
                                             s.registry);
  CHECK(expand_grid(other_limit)[3].key != cells[3].key);  // and so is the protocol
}

TEST_CASE("run writes every cell with metrics timings and provenance and resume skips finished cells", "[runner]") {
  Study s;
  const Manifest m = s.manifest();
  const RunSummary first = s.run(m);
  CHECK(first.ok == 4);
  CHECK(first.failed == 0);
  REQUIRE(s.environments.size() == 4);
  CHECK(s.environments[1].seed == 1);  // the environment is set at the start of every cell
  reports::ResultsStore store(m.database);
  CHECK(store.count_cells() == 4);
  const auto cell = store.find_cell(expand_grid(m)[0].key);
  REQUIRE(cell.has_value());
  CHECK(cell->record.status == "ok");
  CHECK(cell->record.method_options == "fail_category=;frame=stretch;jitter=0.01;size=16;sleep_ms=0");
  CHECK(cell->record.peak_rss_bytes.value_or(0) > 0);
  {
    reports::Database db(m.database, reports::Database::Mode::read_only);
    auto versions = db.prepare("SELECT library_versions, manifest_sha256 FROM runs");
    REQUIRE(versions.step());
    CHECK_THAT(versions.column_text(0), Contains("\"pixel_stats\":\"test-1\"") && Contains("opencv"));
    CHECK(versions.column_text(1) == m.sha256);
  }
  bool has_fit = false, has_predict = false;
  for (const auto& t : cell->record.timings) {
    has_fit |= t.phase == "fit";
    has_predict |= t.phase == "predict_per_image" && t.p50_s.has_value() && t.p95_s.has_value();
  }
  CHECK(has_fit);
  CHECK(has_predict);
  double pixel_auroc = 0;
  for (const auto& metric : cell->record.metrics) {
    if (metric.name == "pixel_auroc") pixel_auroc = metric.value.value_or(0);
  }
  CHECK(pixel_auroc > 0.9);  // the statistics learn the normal appearance
  // Every test image is stored with its score; the gallery holds the most telling images.
  const auto split = datasets::MvtecAd(s.dir / "data").split(cell->record.category);
  REQUIRE(cell->record.images.size() == split.test.size());
  for (std::size_t i = 0; i < split.test.size(); ++i) {
    CHECK(cell->record.images[i].sample_id == split.test[i].id);
    CHECK(cell->record.images[i].defect_type == split.test[i].defect_type);
    CHECK(cell->record.images[i].label == (split.test[i].label == Label::anomalous ? 1 : 0));
  }
  CHECK(cell->record.method_label == "pixel_stats[tiny]");
  REQUIRE_FALSE(cell->record.artifacts.empty());
  CHECK(cell->record.artifacts.size() <= 12);
  for (const auto& artifact : cell->record.artifacts) {
    CHECK(fs::file_size(artifact.path) == static_cast<std::uintmax_t>(artifact.bytes));
    CHECK(artifact.bytes < 200 * 1024);
  }
  CHECK(fs::exists(s.dir / "results" / "artifacts" / expand_grid(m)[0].key.substr(0, 16) / "checkpoint" / "state.yml"));

  RunOptions resume;
  resume.resume = true;
  const RunSummary second = s.run(m, resume);
  CHECK(second.skipped == 4);
  CHECK(second.ok == 0);
  CHECK(reports::ResultsStore(m.database).count_cells() == 4);
}

TEST_CASE("a failing cell is recorded with its message and the sweep goes on unless fail-fast", "[runner]") {
  Study s;
  const Manifest m = s.manifest(", fail_category = \"disc\"");
  const RunSummary summary = s.run(m);
  CHECK(summary.failed == 2);
  CHECK(summary.ok == 2);
  const auto failed = reports::ResultsStore(m.database).find_cell(expand_grid(m)[0].key);
  REQUIRE(failed.has_value());
  CHECK(failed->record.status == "failed");
  CHECK_THAT(failed->record.message.value_or(""), Contains("told to fail"));
  RunOptions fail_fast;
  fail_fast.fail_fast = true;
  const RunSummary stopped = s.run(m, fail_fast);
  CHECK(stopped.failed == 1);
  CHECK(stopped.ok == 0);
}

TEST_CASE("a device the registry refuses stops the run before the database is created", "[runner]") {
  Study s;
  methods::DeviceProbe probe;
  probe.check = [](const std::string& device) {
    if (device != "cpu") throw ConfigError(device, "no such GPU here");
  };
  s.registry.set_device_probe(probe);
  const Manifest m = s.manifest("", "[0]", "device = \"cuda:1\"\n");
  CHECK_THROWS_AS(s.run(m), ConfigError);
  CHECK_FALSE(fs::exists(m.database));
}

TEST_CASE("resume re-runs the cells that failed and skips only the finished ones", "[runner]") {
  Study s;
  const Manifest m = s.manifest();
  const auto keys = expand_grid(m);
  REQUIRE(keys.size() == 4);
  ::setenv("KDAD_TEST_FAIL_CATEGORY", "disc", 1);
  const RunSummary first = s.run(m);
  ::unsetenv("KDAD_TEST_FAIL_CATEGORY");
  CHECK(first.ok == 2);
  CHECK(first.failed == 2);
  std::set<std::string> failed_keys;
  {
    reports::ResultsStore store(m.database);
    for (const auto& cell : keys) {
      const auto stored = store.find_cell(cell.key);
      REQUIRE(stored.has_value());
      if (stored->record.status == "failed") failed_keys.insert(cell.key);
    }
  }
  REQUIRE(failed_keys.size() == 2);

  RunOptions resume;
  resume.resume = true;
  const RunSummary second = s.run(m, resume);
  CHECK(second.skipped == 2);
  CHECK(second.ok == 2);
  CHECK(second.failed == 0);
  reports::ResultsStore store(m.database);
  CHECK(store.count_cells() == 4);  // the failed cells were replaced, not added
  for (const auto& key : failed_keys) {
    const auto stored = store.find_cell(key);
    REQUIRE(stored.has_value());
    CHECK(stored->record.status == "ok");
    CHECK(stored->record.category == "disc");
  }
  CHECK(store.finished_keys().size() == 4);
}

TEST_CASE("the same manifest and seeds give identical metrics in two runs", "[runner]") {
  Study s;
  const Manifest a = s.manifest();
  s.run(a);
  const auto first = stored_metrics(a.database);
  fs::rename(a.database, s.dir / "first.sqlite");
  fs::remove(a.database.string() + "-wal");
  fs::remove(a.database.string() + "-shm");
  s.run(a);
  const auto second = stored_metrics(a.database);
  REQUIRE(first.size() > 20);
  CHECK(first == second);
}

TEST_CASE("exported maps follow the MVTec layout and kdad eval reproduces the cell's metrics", "[runner]") {
  Study s;
  const Manifest m = s.manifest("", "[0]", "export_maps = true\n");
  s.run(m);
  const auto cell = expand_grid(m)[0];  // disc, seed 0
  const fs::path maps = s.dir / "results" / "artifacts" / cell.key.substr(0, 16) / "maps";
  REQUIRE(fs::exists(maps / "disc" / "test" / "good" / "000.tiff"));
  std::vector<std::string> args = {"kdad", "eval", "--dataset", (s.dir / "data").string(), "--maps", maps.string(),
                                   "--categories", "disc", "--json"};
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  run_invocation(parse_command_line(static_cast<int>(argv.size()), argv.data()), s.registry, out);
  const auto doc = nlohmann::json::parse(out.str());
  const auto stored = reports::ResultsStore(m.database).find_cell(cell.key);
  REQUIRE(stored.has_value());
  std::size_t compared = 0;
  for (const auto& metric : stored->record.metrics) {
    if (metric.name.rfind("image_", 0) == 0) continue;  // eval scores images by the max of the stored map
    INFO(metric.name);
    REQUIRE(metric.value.has_value());
    CHECK(doc["categories"][0]["metrics"][metric.name].get<double>() == Approx(*metric.value).epsilon(1e-12));
    ++compared;
  }
  CHECK(compared >= 6);  // pixel AU-ROC, AP, F1-max and its threshold, AU-PRO, PRO-RD4AD
}

TEST_CASE("a manifest checkpoint is evaluated instead of training per category under its own cell keys", "[runner]") {
  Study s;
  const Manifest trained = s.manifest("", "[0]");
  REQUIRE(s.run(trained).ok == 2);
  // Gather the trained states by category, as a user keeps official or earlier checkpoints.
  std::map<std::string, std::string> trained_keys;
  fs::create_directories(s.dir / "states");
  for (const auto& cell : expand_grid(trained)) {
    fs::copy(s.dir / "results" / "artifacts" / cell.key.substr(0, 16) / "checkpoint", s.dir / "states" / cell.category,
             fs::copy_options::recursive);
    trained_keys[cell.category] = cell.key;
  }
  const std::string with_checkpoint = R"(
name = "given"
database = "given.sqlite"
artifacts = "given"
seeds = [0]

[[method]]
id = "pixel_stats"
preset = "tiny"
options = { jitter = 0.01 }
checkpoint = "states/{category}"

[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
)";
  const Manifest given = read_manifest(s.write("given.toml", with_checkpoint), s.registry);
  const auto cells = expand_grid(given);
  REQUIRE(cells.size() == 2);
  for (const auto& cell : cells) {
    CHECK(cell.checkpoint == (s.dir / "states" / cell.category).lexically_normal());
    CHECK(cell.key != trained_keys.at(cell.category));  // another kind of cell
  }
  const RunSummary summary = s.run(given);
  CHECK(summary.ok == 2);
  reports::ResultsStore original(trained.database), evaluated(given.database);
  for (const auto& cell : cells) {
    INFO(cell.category);
    const auto stored = evaluated.find_cell(cell.key);
    const auto reference = original.find_cell(trained_keys.at(cell.category));
    REQUIRE(stored.has_value());
    REQUIRE(reference.has_value());
    CHECK(stored->record.kind == "checkpoint_eval");
    CHECK_THAT(stored->record.details_json, Contains("states/" + cell.category));
    for (const auto& t : stored->record.timings) CHECK(t.phase != "fit");
    REQUIRE(stored->record.metrics.size() == reference->record.metrics.size());
    for (std::size_t i = 0; i < stored->record.metrics.size(); ++i) {
      INFO(stored->record.metrics[i].name);
      CHECK(stored->record.metrics[i].value == reference->record.metrics[i].value);  // the same trained state
    }
  }
  // Other weights under the same path are another cell; a missing checkpoint is named before anything runs.
  std::ofstream(s.dir / "states" / "disc" / "state.yml", std::ios::app) << "\n";
  CHECK(expand_grid(read_manifest(s.dir / "given.toml", s.registry))[0].key != cells[0].key);
  fs::remove_all(s.dir / "states" / "weave");
  CHECK_THROWS_WITH(read_manifest(s.dir / "given.toml", s.registry),
                    Contains("given.toml:7: checkpoint '") && Contains("states/weave' not found"));
}

TEST_CASE("a dataset's training cap changes the cells' data and is named in reports", "[runner]") {
  Study s;
  const Manifest full = s.manifest("", "[0]");
  std::string text = R"(
name = "capped"
database = "capped.sqlite"
artifacts = "capped"
seeds = [0]

[[method]]
id = "pixel_stats"
preset = "tiny"
options = { jitter = 0.01 }

[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
max_train_images = 3
)";
  const Manifest capped = read_manifest(s.write("capped.toml", text), s.registry);
  const auto full_cells = expand_grid(full), capped_cells = expand_grid(capped);
  REQUIRE(capped_cells.size() == full_cells.size());
  for (std::size_t i = 0; i < capped_cells.size(); ++i) {
    CHECK(capped_cells[i].dataset_fingerprint != full_cells[i].dataset_fingerprint);
    CHECK(capped_cells[i].key != full_cells[i].key);
  }
  REQUIRE(s.run(capped).ok == 2);
  const auto stored = reports::ResultsStore(capped.database).cells();
  REQUIRE(stored.size() == 2);
  for (const auto& cell : stored) {
    const auto details = nlohmann::json::parse(cell.record.details_json);
    CHECK(details["train_images"] == 3);
    CHECK(details["max_train_images"] == 3);
  }
  const auto summary = reports::summarize(stored);
  REQUIRE(summary.groups.size() == 1);
  CHECK(summary.groups[0].dataset == "mvtec_ad [3 train]");
  text.replace(text.find("max_train_images = 3"), 20, "max_train_images = -1");
  CHECK_THROWS_WITH(read_manifest(s.write("capped.toml", text), s.registry), Contains("max_train_images must be"));
}

TEST_CASE("a dataset without a root is read from its default location and recorded with it", "[runner]") {
  Study s;
  const auto root = datasets::default_dataset_root(datasets::DatasetFormat::fashion_mnist);
  if (!fs::is_directory(root)) {
    test::skip_test(root.string() + " missing (Debian's dataset-fashion-mnist; ci/setup.sh installs it)");
    return;
  }
  const Manifest m = read_manifest(s.write("fmnist.toml", R"(
name = "fmnist"
database = "f.sqlite"
seeds = [0]

[[method]]
id = "pixel_stats"
preset = "tiny"

[[dataset]]
format = "fashion_mnist"
categories = ["trouser"]
max_train_images = 20
)"),
                                   s.registry);
  REQUIRE(m.datasets.size() == 1);
  CHECK(m.datasets[0].root == root);
  const auto cells = expand_grid(m);
  REQUIRE(cells.size() == 1);
  CHECK_FALSE(cells[0].dataset_fingerprint.empty());
}

TEST_CASE("the JSON log has one event per line for every cell", "[runner]") {
  Study s;
  const Manifest m = s.manifest("", "[3]");
  RunOptions options;
  options.log_json = s.dir / "events.jsonl";
  s.run(m, options);
  std::ifstream in(s.dir / "events.jsonl");
  std::map<std::string, int> events;
  for (std::string line; std::getline(in, line);) events[nlohmann::json::parse(line)["event"]]++;
  CHECK(events["run_started"] == 1);
  CHECK(events["cell_started"] == 2);
  CHECK(events["cell_finished"] == 2);
  CHECK(events["progress"] >= 16);
  CHECK(events["run_finished"] == 1);
}
