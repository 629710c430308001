// The SQLite results store.
#include "reports/store.h"

#include "core/error.h"

#include <fmt/format.h>

#include <bit>
#include <chrono>
#include <thread>
#include <set>
#include <cstring>

namespace kdad::reports {
namespace fs = std::filesystem;
namespace {

static_assert(std::endian::native == std::endian::little, "curve blobs are stored as little-endian doubles");

constexpr std::int64_t kApplicationId = 0x6B646164;  // "kdad"

std::int64_t pragma_int(Database& db, std::string_view pragma) {
  Statement statement = db.prepare(fmt::format("PRAGMA {}", pragma));
  return statement.step() ? statement.column_int(0) : 0;
}

// Checks an existing file through a read-only connection, so a file we refuse is never modified.
// Returns `file` so it can run before the read-write connection opens.
const fs::path& checked_existing(const fs::path& file, int newest_known) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return file;
  if (fs::is_directory(file, ec)) throw StoreError(file.string(), "is a folder, not a database file");
  Database db(file, Database::Mode::read_only);
  std::int64_t version = 0;
  std::int64_t application = 0;
  std::int64_t tables = 0;
  try {
    // One statement, one snapshot: read one by one, the ids could predate and the tables follow
    // the commit of a worker creating the store at this moment, which reads as a foreign database.
    Statement header = db.prepare(
        "SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id), "
        "(SELECT count(*) FROM sqlite_master)");
    if (header.step()) {
      version = header.column_int(0);
      application = header.column_int(1);
      tables = header.column_int(2);
    }
  } catch (const StoreError&) {
    throw StoreError(file.string(), "is not a SQLite database; refusing to touch it");
  }
  if (application != kApplicationId && (application != 0 || tables > 0)) {
    throw StoreError(file.string(), "is a SQLite database but not a kdad results store; refusing to touch it");
  }
  if (version > newest_known) {
    throw StoreError(file.string(), fmt::format("schema version {} is newer than this kdad supports ({}); "
                                                "use a newer kdad (the file was not modified)",
                                                version, newest_known));
  }
  return file;
}

// Switches to write-ahead logging unless the file already uses it. Switching needs an exclusive
// lock that SQLite does not wait for: workers creating one database at the same moment retry
// (for up to the busy timeout) until one of them has switched it.
void use_wal(Database& db) {
  for (int attempt = 0;; ++attempt) {
    {
      Statement current = db.prepare("PRAGMA journal_mode");
      if (current.step() && current.column_text(0) == "wal") return;
    }
    try {
      db.exec("PRAGMA journal_mode = WAL");
      return;
    } catch (const StoreError&) {
      if (attempt >= 200) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

std::vector<unsigned char> to_blob(const std::vector<double>& values) {
  std::vector<unsigned char> bytes(values.size() * sizeof(double));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

}  // namespace

int current_schema_version() { return builtin_migrations().back().to_version; }

ResultsStore::ResultsStore(const fs::path& file) : ResultsStore(file, builtin_migrations()) {}

ResultsStore::ResultsStore(const fs::path& file, const std::vector<Migration>& migrations)
    : ResultsStore(checked_existing(file, migrations.empty() ? 0 : migrations.back().to_version),
                   Database::Mode::read_write_create, &migrations) {}

ResultsStore::ResultsStore(const fs::path& file, Database::Mode mode, const std::vector<Migration>* migrations)
    : db_(file, mode) {
  if (mode == Database::Mode::read_write_create) {
    use_wal(db_);
    db_.exec("PRAGMA synchronous = FULL");
    db_.exec("PRAGMA foreign_keys = ON");
  }
  if (migrations) migrate(*migrations);
}

ResultsStore ResultsStore::open_for_reading(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw StoreError(file.string(), "no such results database");
  checked_existing(file, current_schema_version());
  std::int64_t version = 0;
  {
    Database db(file, Database::Mode::read_only);
    version = pragma_int(db, "user_version");
  }
  if (version == current_schema_version()) return ResultsStore(file, Database::Mode::read_only, nullptr);
  return ResultsStore(file, Database::Mode::memory_copy, &builtin_migrations());
}

void ResultsStore::migrate(const std::vector<Migration>& migrations) {
  Transaction transaction(db_);
  // Read inside the write lock: another process may have migrated meanwhile.
  const std::int64_t version = pragma_int(db_, "user_version");
  if (!migrations.empty() && version > migrations.back().to_version) {
    throw StoreError(db_.file().string(), fmt::format("schema version {} is newer than this kdad supports ({})",
                                                      version, migrations.back().to_version));
  }
  for (const auto& migration : migrations) {
    if (migration.to_version <= version) continue;
    try {
      db_.exec(migration.sql);
      db_.exec(fmt::format("PRAGMA user_version = {}", migration.to_version));
    } catch (const StoreError& e) {
      throw StoreError(db_.file().string(),
                       fmt::format("migration to schema version {} failed, database left at version {}: {}",
                                   migration.to_version, version, e.what()));
    }
  }
  db_.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
  transaction.commit();
}

int ResultsStore::schema_version() { return static_cast<int>(pragma_int(db_, "user_version")); }

std::int64_t ResultsStore::begin_run(const RunRecord& run) {
  Transaction transaction(db_);
  const std::int64_t id = insert_run(run);
  transaction.commit();
  return id;
}

std::int64_t ResultsStore::insert_run(const RunRecord& run) {
  db_.prepare(
         "INSERT INTO runs (uuid, command, command_line, started_at, kdad_version, git_sha, git_dirty, "
         "build_type, compiler, host, library_versions, manifest, manifest_sha256, pid, calibration) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)")
      .bind(1, run.uuid).bind(2, run.command).bind(3, run.command_line).bind(4, run.started_at)
      .bind(5, run.kdad_version).bind(6, run.git_sha).bind(7, std::int64_t{run.git_dirty ? 1 : 0})
      .bind(8, run.build_type).bind(9, run.compiler).bind(10, run.host).bind(11, run.library_versions_json)
      .bind(12, run.manifest).bind(13, run.manifest_sha256).bind(14, run.pid).bind(15, run.calibration_json)
      .run();
  return db_.last_insert_id();
}

void ResultsStore::set_run_calibration(std::int64_t run_id, const std::string& calibration_json) {
  Transaction transaction(db_);
  db_.prepare("UPDATE runs SET calibration = ?1 WHERE id = ?2").bind(1, calibration_json).bind(2, run_id).run();
  transaction.commit();
}

void ResultsStore::end_run(std::int64_t run_id, std::string_view status, std::string_view ended_at) {
  Transaction transaction(db_);
  db_.prepare("UPDATE runs SET status = ?1, ended_at = ?2 WHERE id = ?3")
      .bind(1, status).bind(2, ended_at).bind(3, run_id).run();
  transaction.commit();
}

WriteOutcome ResultsStore::write_cell(std::int64_t run_id, const CellRecord& cell) {
  Transaction transaction(db_);
  const WriteOutcome outcome = insert_cell(run_id, cell);
  transaction.commit();
  return outcome;
}

WriteOutcome ResultsStore::insert_cell(std::int64_t run_id, const CellRecord& cell) {
  WriteOutcome outcome = WriteOutcome::inserted;
  {
    Statement existing = db_.prepare("SELECT id FROM cells WHERE key = ?1");
    existing.bind(1, cell.key);
    if (existing.step()) {
      db_.prepare("DELETE FROM cells WHERE id = ?1").bind(1, existing.column_int(0)).run();
      outcome = WriteOutcome::replaced;
    }
  }
  db_.prepare(
         "INSERT INTO cells (key, run_id, kind, method_id, method_options, dataset_format, dataset_root, "
         "dataset_fingerprint, category, seed, protocol_id, protocol, maps_source, maps_fingerprint, device, "
         "weights, determinism, status, message, details, started_at, ended_at, peak_rss_bytes, peak_device_bytes, "
         "environment, method_label) VALUES "
         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)")
      .bind(1, cell.key).bind(2, run_id).bind(3, cell.kind).bind(4, cell.method_id).bind(5, cell.method_options)
      .bind(6, cell.dataset_format).bind(7, cell.dataset_root).bind(8, cell.dataset_fingerprint)
      .bind(9, cell.category).bind(10, cell.seed).bind(11, cell.protocol_id).bind(12, cell.protocol_json)
      .bind(13, cell.maps_source).bind(14, cell.maps_fingerprint).bind(15, cell.device).bind(16, cell.weights)
      .bind(17, cell.determinism_json).bind(18, cell.status).bind(19, cell.message).bind(20, cell.details_json)
      .bind(21, cell.started_at).bind(22, cell.ended_at).bind(23, cell.peak_rss_bytes)
      .bind(24, cell.peak_device_bytes).bind(25, cell.environment_json).bind(26, cell.method_label)
      .run();
  const std::int64_t cell_id = db_.last_insert_id();

  for (const auto& m : cell.metrics) {
    db_.prepare("INSERT INTO metrics (cell_id, name, value) VALUES (?1, ?2, ?3)")
        .bind(1, cell_id).bind(2, m.name).bind(3, m.value).run();
  }
  for (const auto& c : cell.curves) {
    if (c.x.size() != c.y.size()) throw InternalError(c.name, "curve has unequal x and y lengths");
    const auto x = to_blob(c.x);
    const auto y = to_blob(c.y);
    db_.prepare("INSERT INTO curves (cell_id, name, points, x, y) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(1, cell_id).bind(2, c.name).bind(3, static_cast<std::int64_t>(c.x.size()))
        .bind_blob(4, x.data(), x.size()).bind_blob(5, y.data(), y.size())
        .run();
  }
  for (const auto& t : cell.timings) {
    db_.prepare("INSERT INTO timings (cell_id, phase, count, total_s, p50_s, p95_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, cell_id).bind(2, t.phase).bind(3, t.count).bind(4, t.total_s).bind(5, t.p50_s).bind(6, t.p95_s)
        .run();
  }
  {
    Statement insert = db_.prepare(
        "INSERT INTO images (cell_id, sample_id, defect_type, label, score) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const auto& image : cell.images) {
      insert.bind(1, cell_id).bind(2, image.sample_id).bind(3, image.defect_type)
          .bind(4, std::int64_t{image.label}).bind(5, image.score);
      insert.run();
      insert.reset();
    }
  }
  for (const auto& a : cell.artifacts) {
    db_.prepare("INSERT INTO artifacts (cell_id, kind, role, rank, sample_id, path, bytes) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, cell_id).bind(2, a.kind).bind(3, a.role).bind(4, a.rank).bind(5, a.sample_id).bind(6, a.path)
        .bind(7, a.bytes)
        .run();
  }
  return outcome;
}

MergeOutcome ResultsStore::merge_from(ResultsStore& shard) {
  const std::vector<StoredRun> runs = shard.runs();
  const std::vector<StoredCell> cells = shard.cells();
  MergeOutcome outcome;
  Transaction transaction(db_);
  std::map<std::int64_t, std::int64_t> run_ids;  // shard's run id → this store's
  for (const auto& run : runs) {
    Statement existing = db_.prepare("SELECT id FROM runs WHERE uuid = ?1");
    existing.bind(1, run.record.uuid);
    if (existing.step()) {
      run_ids[run.id] = existing.column_int(0);
      continue;
    }
    const std::int64_t id = insert_run(run.record);
    db_.prepare("UPDATE runs SET status = ?1, ended_at = ?2 WHERE id = ?3").bind(1, run.status).bind(2, run.ended_at).bind(3, id).run();
    run_ids[run.id] = id;
    ++outcome.runs_added;
  }
  for (const auto& cell : cells) {
    Statement existing = db_.prepare("SELECT ended_at FROM cells WHERE key = ?1");
    existing.bind(1, cell.record.key);
    const bool stored = existing.step();
    if (stored && existing.column_text(0) >= cell.record.ended_at) {
      ++outcome.cells_kept;
      continue;
    }
    insert_cell(run_ids.at(cell.run_id), cell.record);
    ++(stored ? outcome.cells_replaced : outcome.cells_added);
  }
  transaction.commit();
  return outcome;
}

std::map<std::string, std::string> ResultsStore::cell_statuses() {
  std::map<std::string, std::string> statuses;
  Statement query = db_.prepare("SELECT key, status FROM cells");
  while (query.step()) statuses.emplace(query.column_text(0), query.column_text(1));
  return statuses;
}

std::set<std::string> ResultsStore::finished_keys() {
  std::set<std::string> keys;
  for (const auto& [key, status] : cell_statuses()) {
    if (status == "ok") keys.insert(key);
  }
  return keys;
}

int ResultsStore::mark_interrupted_runs(const std::string& host, const std::function<bool(std::int64_t)>& alive,
                                        std::string_view ended_at) {
  std::vector<std::int64_t> stale;
  {
    Statement query = db_.prepare("SELECT id, pid FROM runs WHERE status = 'running' AND host = ?1 AND pid IS NOT NULL");
    query.bind(1, host);
    while (query.step()) {
      if (!alive(query.column_int(1))) stale.push_back(query.column_int(0));
    }
  }
  for (const std::int64_t id : stale) end_run(id, "interrupted", ended_at);
  return static_cast<int>(stale.size());
}

ClaimOutcome ResultsStore::claim_cell(std::string_view key, const Claimant& claimant, double now, double stale_seconds,
                                      const std::function<bool(std::int64_t)>& alive) {
  Transaction transaction(db_);
  {
    Statement finished = db_.prepare(
        "SELECT 1 FROM cells WHERE key = ?1 AND run_id != ?2 AND "
        "(ended_at > ?3 OR run_id IN (SELECT id FROM runs WHERE status = 'running'))");
    finished.bind(1, key).bind(2, claimant.run_id).bind(3, claimant.run_started_at);
    if (finished.step()) return ClaimOutcome::finished_elsewhere;
  }
  {
    Statement held = db_.prepare("SELECT run_id, host, pid, heartbeat FROM claims WHERE cell_key = ?1");
    held.bind(1, key);
    if (held.step() && held.column_int(0) != claimant.run_id) {
      const bool fresh = held.column_double(3) >= now - stale_seconds;
      const bool running = held.column_text(1) != claimant.host || alive(held.column_int(2));
      if (fresh && running) return ClaimOutcome::held_elsewhere;
    }
  }
  db_.prepare("INSERT OR REPLACE INTO claims (cell_key, run_id, host, pid, heartbeat) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, key)
      .bind(2, claimant.run_id)
      .bind(3, claimant.host)
      .bind(4, claimant.pid)
      .bind(5, now)
      .run();
  transaction.commit();
  return ClaimOutcome::claimed;
}

void ResultsStore::heartbeat_claims(std::int64_t run_id, double now) {
  db_.prepare("UPDATE claims SET heartbeat = ?1 WHERE run_id = ?2").bind(1, now).bind(2, run_id).run();
}

void ResultsStore::release_claim(std::string_view key, std::int64_t run_id) {
  db_.prepare("DELETE FROM claims WHERE cell_key = ?1 AND run_id = ?2").bind(1, key).bind(2, run_id).run();
}

std::int64_t ResultsStore::count_cells() {
  Statement query = db_.prepare("SELECT count(*) FROM cells");
  return query.step() ? query.column_int(0) : 0;
}

}  // namespace kdad::reports
