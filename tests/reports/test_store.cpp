// Tests of the SQLite results store: round trip, duplicates, migrations, refusing foreign files.
#include "core/error.h"
#include "reports/sqlite.h"
#include "reports/store.h"
#include "test_support.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace kdad;
using namespace kdad::reports;
using Catch::Matchers::Contains;

namespace {

RunRecord run_record() {
  RunRecord run;
  run.uuid = "00000000-0000-4000-8000-000000000001";
  run.command = "eval";
  run.command_line = "kdad eval --dataset d --maps m";
  run.started_at = "2026-11-23T00:00:00.000Z";
  run.kdad_version = "0.1.0";
  run.git_sha = "abc";
  run.build_type = "Release";
  run.compiler = "Clang 14";
  run.host = "test";
  run.library_versions_json = "{}";
  return run;
}

CellRecord cell_record(const std::string& key, double auroc) {
  CellRecord cell;
  cell.key = key;
  cell.kind = "eval";
  cell.dataset_format = "mvtec_ad";
  cell.dataset_root = "/data";
  cell.dataset_fingerprint = "f";
  cell.category = "bottle";
  cell.protocol_id = "p-1";
  cell.protocol_json = "{}";
  cell.started_at = "t0";
  cell.ended_at = "t1";
  cell.metrics = {{"image_auroc", auroc}, {"au_pro", std::nullopt}};
  cell.curves = {{"pro", {0.0, 0.5, 1.0}, {0.0, 0.25, 1.0}}};
  cell.timings = {{"evaluate", 1, 0.25, std::nullopt, std::nullopt}};
  return cell;
}

}  // namespace

TEST_CASE("a new store has the current schema and round-trips a cell exactly", "[reports]") {
  test::TempDir dir;
  ResultsStore store(dir / "r.sqlite");
  CHECK(store.schema_version() == current_schema_version());
  const auto run = store.begin_run(run_record());
  CHECK(store.write_cell(run, cell_record("k1", 0.123456789012345678)) == WriteOutcome::inserted);
  store.end_run(run, "ok", "t2");
  const auto stored = store.find_cell("k1");
  REQUIRE(stored.has_value());
  CHECK(stored->run_id == run);
  CHECK(stored->record.category == "bottle");
  REQUIRE(stored->record.metrics.size() == 2);
  CHECK(stored->record.metrics[0].value == 0.123456789012345678);
  CHECK_FALSE(stored->record.metrics[1].value.has_value());
  REQUIRE(stored->record.curves.size() == 1);
  CHECK(stored->record.curves[0].y == std::vector<double>{0.0, 0.25, 1.0});
  CHECK(stored->record.timings.at(0).total_s == 0.25);
  CHECK_FALSE(store.find_cell("absent").has_value());
}

TEST_CASE("writing a cell twice with the same key replaces it instead of duplicating", "[reports]") {
  test::TempDir dir;
  ResultsStore store(dir / "r.sqlite");
  const auto run1 = store.begin_run(run_record());
  store.write_cell(run1, cell_record("k1", 0.5));
  auto second = run_record();
  second.uuid = "00000000-0000-4000-8000-000000000002";
  const auto run2 = store.begin_run(second);
  CHECK(store.write_cell(run2, cell_record("k1", 0.5)) == WriteOutcome::replaced);
  CHECK(store.count_cells() == 1);
  CHECK(store.find_cell("k1")->run_id == run2);
  Database db(dir / "r.sqlite", Database::Mode::read_only);
  auto count = db.prepare("SELECT count(*) FROM metrics");
  REQUIRE(count.step());
  CHECK(count.column_int(0) == 2);  // the replaced cell's metrics went with it
}

TEST_CASE("the store survives reopening and uses WAL", "[reports]") {
  test::TempDir dir;
  {
    ResultsStore store(dir / "r.sqlite");
    store.write_cell(store.begin_run(run_record()), cell_record("k1", 0.9));
  }
  ResultsStore again(dir / "r.sqlite");
  CHECK(again.find_cell("k1")->record.metrics[0].value == 0.9);
  Database db(dir / "r.sqlite", Database::Mode::read_only);
  auto mode = db.prepare("PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_text(0) == "wal");
}

TEST_CASE("processes creating one store at the same moment all open it", "[reports]") {
  // Several `kdad run` workers start on a database none has created yet: one creates the schema,
  // the others must see either no store or the whole store, never a half (one "not a kdad store").
  test::TempDir dir;
  for (int round = 0; round < 100; ++round) {
    const auto file = dir / fmt::format("r{}.sqlite", round);
    std::vector<std::thread> workers;
    std::atomic<int> failures{0};
    std::string message;
    std::mutex message_mutex;
    for (int w = 0; w < 8; ++w) {
      workers.emplace_back([&] {
        try {
          ResultsStore store(file);
        } catch (const std::exception& e) {
          ++failures;
          const std::lock_guard lock(message_mutex);
          message = e.what();
        }
      });
    }
    for (auto& worker : workers) worker.join();
    INFO("round " << round << ": " << message);
    REQUIRE(failures == 0);
  }
}

TEST_CASE("a database with a newer schema is refused and left byte for byte untouched", "[reports]") {
  test::TempDir dir;
  const auto file = dir / "r.sqlite";
  {
    ResultsStore store(file);
    store.write_cell(store.begin_run(run_record()), cell_record("k1", 0.9));
  }
  {
    Database db(file, Database::Mode::read_write_create);
    db.exec("PRAGMA journal_mode = DELETE");
    db.exec("PRAGMA user_version = 99");
  }
  const std::string before = test::file_bytes(file);
  CHECK_THROWS_WITH(ResultsStore(file), Contains("schema version 99") && Contains("newer"));
  CHECK(test::file_bytes(file) == before);
  CHECK_FALSE(std::filesystem::exists(file.string() + "-wal"));
}

TEST_CASE("files that are not kdad stores are refused and left untouched", "[reports]") {
  test::TempDir dir;
  std::ofstream(dir / "notes.txt") << "this is not a database, it is a very long text file of notes ......";
  const std::string text = test::file_bytes(dir / "notes.txt");
  CHECK_THROWS_AS(ResultsStore(dir / "notes.txt"), StoreError);
  CHECK(test::file_bytes(dir / "notes.txt") == text);
  {
    Database other(dir / "other.sqlite", Database::Mode::read_write_create);
    other.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  }
  const std::string other = test::file_bytes(dir / "other.sqlite");
  CHECK_THROWS_WITH(ResultsStore(dir / "other.sqlite"), Contains("not a kdad results store"));
  CHECK(test::file_bytes(dir / "other.sqlite") == other);
}

TEST_CASE("migrations run in order / keep the data / and roll back completely on failure", "[reports]") {
  test::TempDir dir;
  const auto file = dir / "r.sqlite";
  {
    ResultsStore store(file);
    store.write_cell(store.begin_run(run_record()), cell_record("k1", 0.7));
  }
  auto migrations = builtin_migrations();
  const int next = current_schema_version() + 1;
  SECTION("a later schema adds a column; old rows survive") {
    migrations.push_back({next, "ALTER TABLE cells ADD COLUMN note TEXT DEFAULT 'migrated';"});
    ResultsStore upgraded(file, migrations);
    CHECK(upgraded.schema_version() == next);
    CHECK(upgraded.find_cell("k1")->record.metrics[0].value == 0.7);
    Database db(file, Database::Mode::read_only);
    auto note = db.prepare("SELECT note FROM cells");
    REQUIRE(note.step());
    CHECK(note.column_text(0) == "migrated");
  }
  SECTION("a failing migration leaves the previous version and data") {
    migrations.push_back({next, "ALTER TABLE cells ADD COLUMN note TEXT; CREATE TABLE broken (;"});
    CHECK_THROWS_WITH(ResultsStore(file, migrations), Contains("migration to schema version") &&
                                                          Contains("left at version"));
    ResultsStore store(file);
    CHECK(store.schema_version() == current_schema_version());
    CHECK(store.find_cell("k1").has_value());
    Database db(file, Database::Mode::read_only);
    CHECK_THROWS(db.prepare("SELECT note FROM cells"));
  }
}

TEST_CASE("a version-1 database from an earlier kdad is migrated to the current schema with its data", "[reports]") {
  test::TempDir dir;
  const auto file = dir / "old.sqlite";
  const std::vector<Migration> v1(builtin_migrations().begin(), builtin_migrations().begin() + 1);
  {
    ResultsStore old(file, v1);
    REQUIRE(old.schema_version() == 1);
    Database db(file, Database::Mode::read_write_create);
    db.exec("INSERT INTO runs (uuid, command, command_line, started_at, kdad_version, git_sha, git_dirty, build_type, "
            "compiler, host, library_versions) VALUES ('u1', 'eval', 'kdad eval', 't', '0.0.9', 'abc', 0, 'Release', "
            "'Clang', 'h', '{}')");
    db.exec("INSERT INTO cells (key, run_id, kind, dataset_format, dataset_root, dataset_fingerprint, category, "
            "protocol_id, protocol, status, details, started_at, ended_at) VALUES ('old-key', 1, 'eval', 'mvtec_ad', "
            "'/d', 'f', 'bottle', 'p', '{}', 'ok', '{}', 't', 't')");
    db.exec("INSERT INTO metrics (cell_id, name, value) VALUES (1, 'au_pro', 0.875)");
  }
  ResultsStore upgraded(file);
  CHECK(upgraded.schema_version() == current_schema_version());
  const auto cell = upgraded.find_cell("old-key");
  REQUIRE(cell.has_value());
  CHECK(cell->record.metrics.at(0).value == 0.875);
  CHECK_FALSE(cell->record.peak_rss_bytes.has_value());  // columns added by v2 are empty for old cells
  CHECK(upgraded.finished_keys() == std::set<std::string>{"old-key"});
}

TEST_CASE("a database written by kdad 0.1.0 (schema 1, committed file) is read and migrated with its data",
          "[reports]") {
  // tests/data/stores/v1_kdad-0.1.0_eval.sqlite was written by `kdad eval --store` built from commit
  // 02bf7d2 (see tests/data/stores/README.md); today's code never wrote it.
  const auto committed = test::data_dir() / "stores" / "v1_kdad-0.1.0_eval.sqlite";
  const std::string before = test::file_bytes(committed);
  REQUIRE(before.size() > 0);
  auto check = [](ResultsStore& store) {
    CHECK(store.schema_version() == current_schema_version());
    const auto cells = store.cells();
    REQUIRE(cells.size() == 1);
    const CellRecord& cell = cells[0].record;
    CHECK(cell.key == "5b035babd68fb8d1fbb0e77263dee097e69941278ad2945a702f78fe84ffb2ba");
    CHECK(cell.category == "disc");
    CHECK(cell.protocol_id == "p-f8dd00d18731");
    CHECK(cell.status == "ok");
    CHECK(metric_value(cell, "image_auroc") == 0.6875);
    CHECK(metric_value(cell, "au_pro") == Approx(0.550290505945117).epsilon(1e-14));
    CHECK(metric_value(cell, "pixel_f1_max") == Approx(0.139751552795031).epsilon(1e-14));
    CHECK(cell.curves.size() >= 4);
    for (const auto& curve : cell.curves) {
      INFO(curve.name);
      CHECK(curve.x.size() == curve.y.size());
      CHECK(curve.x.size() >= 2);
    }
    CHECK(cell.images.empty());  // schema 1 kept no per-image scores
    CHECK(store.finished_keys() == std::set<std::string>{cell.key});
    const auto runs = store.runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].record.kdad_version == "0.1.0");
    CHECK(runs[0].record.git_sha == "02bf7d266d15cda0003d392ef6272b6ae0e8b2c4");
  };
  {
    ResultsStore reader = ResultsStore::open_for_reading(committed);
    check(reader);
  }
  CHECK(test::file_bytes(committed) == before);  // reading never migrates the file itself

  test::TempDir dir;
  const auto copy = dir / "old.sqlite";
  std::filesystem::copy_file(committed, copy);
  {
    ResultsStore upgraded(copy);
    check(upgraded);
  }
  Database migrated(copy, Database::Mode::read_only);
  auto version = migrated.prepare("PRAGMA user_version");
  REQUIRE(version.step());
  CHECK(version.column_int(0) == current_schema_version());
}

TEST_CASE("per-image scores, artifacts, method labels and calibration round-trip", "[reports]") {
  test::TempDir dir;
  ResultsStore store(dir / "r.sqlite");
  RunRecord run = run_record();
  run.calibration_json = R"({"benchmark":"conv","seconds":0.5})";
  const auto run_id = store.begin_run(run);
  CellRecord cell = cell_record("k1", 0.75);
  cell.method_label = "rd[tiny]";
  cell.images = {{"bottle/test/good/000", "good", 0, 0.125}, {"bottle/test/crack/001", "crack", 1, 0.875}};
  cell.artifacts = {{"gallery", "missed", 0, "bottle/test/crack/001", "/tmp/a.png", 1234}};
  store.write_cell(run_id, cell);
  store.write_cell(run_id, cell_record("k2", 0.5));

  const auto cells = store.cells();
  REQUIRE(cells.size() == 2);
  const CellRecord& back = cells[0].record;
  CHECK(back.method_label == "rd[tiny]");
  REQUIRE(back.images.size() == 2);
  CHECK(back.images[1].sample_id == "bottle/test/crack/001");
  CHECK(back.images[1].defect_type == "crack");
  CHECK(back.images[1].label == 1);
  CHECK(back.images[1].score == 0.875);
  REQUIRE(back.artifacts.size() == 1);
  CHECK(back.artifacts[0].path == "/tmp/a.png");
  CHECK(back.artifacts[0].bytes == 1234);
  CHECK(cells[1].record.images.empty());
  CHECK(metric_value(back, "image_auroc") == 0.75);
  CHECK_FALSE(metric_value(back, "au_pro").has_value());
  const auto runs = store.runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].record.calibration_json == run.calibration_json);
  CHECK(runs[0].status == "running");
}

TEST_CASE("a store opened for reading is never modified / an older one is migrated in memory", "[reports]") {
  test::TempDir dir;
  const auto file = dir / "old.sqlite";
  const std::vector<Migration> v2(builtin_migrations().begin(), builtin_migrations().begin() + 2);
  { ResultsStore old(file, v2); }
  {
    Database db(file, Database::Mode::read_write_create);
    db.exec("INSERT INTO runs (uuid, command, command_line, started_at, kdad_version, git_sha, git_dirty, build_type, "
            "compiler, host, library_versions) VALUES ('u1', 'eval', 'kdad eval', 't', '0.0.9', 'abc', 0, 'Release', "
            "'Clang', 'h', '{}')");
    db.exec("INSERT INTO cells (key, run_id, kind, dataset_format, dataset_root, dataset_fingerprint, category, "
            "protocol_id, protocol, status, details, started_at, ended_at) VALUES ('k1', 1, 'eval', 'mvtec_ad', "
            "'/d', 'f', 'bottle', 'p', '{}', 'ok', '{}', 't', 't')");
    db.exec("INSERT INTO metrics (cell_id, name, value) VALUES (1, 'image_auroc', 0.625)");
    db.exec("PRAGMA journal_mode = DELETE");
  }
  const std::string before = test::file_bytes(file);
  {
    ResultsStore reader = ResultsStore::open_for_reading(file);
    CHECK(reader.schema_version() == current_schema_version());
    const auto cells = reader.cells();
    REQUIRE(cells.size() == 1);
    CHECK(metric_value(cells[0].record, "image_auroc") == 0.625);
    CHECK(cells[0].record.images.empty());
  }
  CHECK(test::file_bytes(file) == before);
  CHECK_THROWS_WITH(ResultsStore::open_for_reading(dir / "absent.sqlite"), Contains("absent.sqlite") &&
                                                                             Contains("no such results database"));
  CHECK_FALSE(std::filesystem::exists(dir / "absent.sqlite"));
}

TEST_CASE("workers claim cells: a live claim holds, a dead or stale one is taken over, a stored cell is settled", "[reports][claims]") {
  test::TempDir dir;
  ResultsStore a(dir / "r.sqlite");
  ResultsStore b(dir / "r.sqlite");  // a second process, as far as SQLite is concerned
  RunRecord first = run_record();
  RunRecord second = run_record();
  second.uuid = "00000000-0000-4000-8000-000000000002";
  second.started_at = "2026-11-23T00:00:01.000Z";
  const Claimant worker_a{a.begin_run(first), "node1", 100, first.started_at};
  const Claimant worker_b{b.begin_run(second), "node1", 200, second.started_at};
  std::set<std::int64_t> alive = {100, 200};
  const auto is_alive = [&](std::int64_t pid) { return alive.count(pid) > 0; };

  CHECK(a.claim_cell("k1", worker_a, 1000.0, 120.0, is_alive) == ClaimOutcome::claimed);
  CHECK(b.claim_cell("k1", worker_b, 1001.0, 120.0, is_alive) == ClaimOutcome::held_elsewhere);
  CHECK(a.claim_cell("k1", worker_a, 1002.0, 120.0, is_alive) == ClaimOutcome::claimed);  // one's own claim
  // Stale: no heartbeat for longer than the limit (a worker on another host that vanished).
  CHECK(b.claim_cell("k1", worker_b, 1200.0, 120.0, is_alive) == ClaimOutcome::claimed);
  CHECK(a.claim_cell("k1", worker_a, 1201.0, 120.0, is_alive) == ClaimOutcome::held_elsewhere);
  b.heartbeat_claims(worker_b.run_id, 1300.0);
  CHECK(a.claim_cell("k1", worker_a, 1400.0, 120.0, is_alive) == ClaimOutcome::held_elsewhere);  // refreshed
  // Dead: same host, its process is gone; taken over at once.
  alive.erase(200);
  CHECK(a.claim_cell("k1", worker_a, 1401.0, 120.0, is_alive) == ClaimOutcome::claimed);
  // Written and released by a running worker: settled for the other.
  a.write_cell(worker_a.run_id, cell_record("k1", 0.9));
  a.release_claim("k1", worker_a.run_id);
  alive.insert(200);
  CHECK(b.claim_cell("k1", worker_b, 1402.0, 120.0, is_alive) == ClaimOutcome::finished_elsewhere);
  // A cell stored by a run that ended before this one started is computed again (no --resume).
  CellRecord early = cell_record("k2", 0.7);
  early.ended_at = "2026-11-23T00:00:00.400Z";
  a.write_cell(worker_a.run_id, early);
  a.end_run(worker_a.run_id, "ok", "2026-11-23T00:00:00.500Z");
  b.end_run(worker_b.run_id, "ok", "2026-11-23T00:00:01.500Z");
  ResultsStore c(dir / "r.sqlite");
  RunRecord third = run_record();
  third.uuid = "00000000-0000-4000-8000-000000000003";
  third.started_at = "2026-11-23T00:00:02.000Z";
  const Claimant later{c.begin_run(third), "node1", 300, third.started_at};
  alive.insert(300);
  CHECK(c.claim_cell("k2", later, 1500.0, 120.0, is_alive) == ClaimOutcome::claimed);
}

TEST_CASE("merging shards adds runs by uuid and cells by key, keeps later cells and changes nothing the second time", "[reports][merge]") {
  test::TempDir dir;
  auto make_shard = [&](const std::string& file, const std::string& uuid, const std::vector<std::pair<std::string, std::string>>& cells) {
    ResultsStore shard(dir / file);
    RunRecord run = run_record();
    run.uuid = uuid;
    const auto id = shard.begin_run(run);
    for (const auto& [key, ended] : cells) {
      CellRecord cell = cell_record(key, 0.5);
      cell.ended_at = ended;
      cell.images = {{"bottle/test/good/000", "good", 0, 0.25}};
      shard.write_cell(id, cell);
    }
    shard.end_run(id, "ok", "2026-11-23T01:00:00.000Z");
  };
  make_shard("s1.sqlite", "00000000-0000-4000-8000-00000000000a", {{"k1", "2026-11-23T00:10:00Z"}, {"k2", "2026-11-23T00:10:00Z"}});
  make_shard("s2.sqlite", "00000000-0000-4000-8000-00000000000b", {{"k2", "2026-11-23T00:20:00Z"}, {"k3", "2026-11-23T00:05:00Z"}});
  ResultsStore merged(dir / "m.sqlite");
  {
    ResultsStore s1 = ResultsStore::open_for_reading(dir / "s1.sqlite");
    const MergeOutcome first = merged.merge_from(s1);
    CHECK(first.runs_added == 1);
    CHECK(first.cells_added == 2);
    ResultsStore s2 = ResultsStore::open_for_reading(dir / "s2.sqlite");
    const MergeOutcome second = merged.merge_from(s2);
    CHECK(second.cells_added == 1);
    CHECK(second.cells_replaced == 1);  // k2 ended later in s2
  }
  CHECK(merged.count_cells() == 3);
  CHECK(merged.runs().size() == 2);
  CHECK(merged.runs()[0].status == "ok");
  CHECK(merged.runs()[0].ended_at == std::optional<std::string>("2026-11-23T01:00:00.000Z"));
  const auto k2 = merged.find_cell("k2");
  REQUIRE(k2);
  CHECK(k2->record.ended_at == "2026-11-23T00:20:00Z");
  CHECK(k2->record.images.size() == 1);
  CHECK(merged.runs()[static_cast<std::size_t>(k2->run_id - merged.runs()[0].id)].record.uuid == "00000000-0000-4000-8000-00000000000b");
  for (const char* file : {"s1.sqlite", "s2.sqlite"}) {
    ResultsStore shard = ResultsStore::open_for_reading(dir / file);
    const MergeOutcome again = merged.merge_from(shard);
    CHECK(again.runs_added + again.cells_added + again.cells_replaced == 0);
    CHECK(again.cells_kept == 2);
  }
  CHECK(merged.count_cells() == 3);
}
