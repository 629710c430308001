// The SQLite results store: versioned schema, WAL, one transaction per cell, provenance per run.
#pragma once

#include "reports/records.h"
#include "reports/schema.h"
#include "reports/sqlite.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

namespace kdad::reports {

/// Whether write_cell added a new cell or replaced one with the same key.
enum class WriteOutcome { inserted, replaced };

/// A run asking for a cell of a grid it may share with other processes.
struct Claimant {
  std::int64_t run_id = 0;
  std::string host;
  std::int64_t pid = 0;
  std::string run_started_at;  ///< ISO 8601 UTC, as stored in runs.started_at
};

enum class ClaimOutcome { claimed, held_elsewhere, finished_elsewhere };

/// What ResultsStore::merge_from did with one shard.
struct MergeOutcome {
  std::size_t runs_added = 0;
  std::size_t cells_added = 0;
  std::size_t cells_replaced = 0;  ///< the shard's cell ended later than the one stored
  std::size_t cells_kept = 0;      ///< stored already (the same, or newer)
};

/// One study's database (DESIGN.md §4). Not thread-safe; use one object per thread or process.
class ResultsStore {
 public:
  /// Opens `file`, creating it if absent, and migrates it to the built-in schema.
  /// Throws StoreError, leaving the file untouched, when it is not a kdad database or its schema
  /// is newer than this kdad knows.
  explicit ResultsStore(const std::filesystem::path& file);
  /// The same with an explicit migration list (tests of the migration path).
  ResultsStore(const std::filesystem::path& file, const std::vector<Migration>& migrations);

  /// Opens an existing store for reading only; the file is never modified. A store of an older
  /// schema is migrated in a private in-memory copy. Throws StoreError when the file is missing,
  /// is not a kdad store, or has a newer schema.
  static ResultsStore open_for_reading(const std::filesystem::path& file);

  int schema_version();

  /// Records the start of an invocation; returns its run id.
  std::int64_t begin_run(const RunRecord& run);
  /// Replaces a run's speed calibration (JSON), e.g. once it was measured again at the end.
  void set_run_calibration(std::int64_t run_id, const std::string& calibration_json);
  /// Marks a run finished: status "ok", "failed" or "interrupted".
  void end_run(std::int64_t run_id, std::string_view status, std::string_view ended_at);

  /// Writes a cell with its metrics, curves and timings in one transaction. A cell with the same
  /// key is replaced (same key = same inputs), so repeated evaluations are never duplicated.
  WriteOutcome write_cell(std::int64_t run_id, const CellRecord& cell);

  std::optional<StoredCell> find_cell(std::string_view key);
  /// Every run, oldest first.
  std::vector<StoredRun> runs();
  /// Every cell with its metrics, curves, timings, images and artifacts, oldest first.
  std::vector<StoredCell> cells();
  /// Status ("ok" or "failed") of every stored cell by key.
  std::map<std::string, std::string> cell_statuses();
  /// Keys of every cell finished with status "ok" (what `--resume` skips).
  std::set<std::string> finished_keys();
  /// Marks as "interrupted" the runs of `host` still "running" whose process is no longer
  /// `alive` (a killed kdad). Returns how many were marked.
  int mark_interrupted_runs(const std::string& host, const std::function<bool(std::int64_t)>& alive,
                            std::string_view ended_at);
  std::int64_t count_cells();

  /// Copies `shard`'s runs (matched by uuid, with their provenance, status and end) and cells
  /// (matched by key) into this store, in one transaction. A key stored already is replaced only by
  /// a cell that ended later, so merging a shard twice changes nothing.
  MergeOutcome merge_from(ResultsStore& shard);

  /// Takes cell `key` for `claimant`'s run, in one IMMEDIATE transaction so that processes sharing
  /// the database agree. finished_elsewhere: another run stored the cell after `claimant` started,
  /// or is still running and stored it. held_elsewhere: another run's claim is alive (heartbeat
  /// newer than `now - stale_seconds`, and on this host its process `alive`). Otherwise the claim
  /// is written (a dead one taken over) and the result is claimed. `now` is in Unix seconds.
  ClaimOutcome claim_cell(std::string_view key, const Claimant& claimant, double now, double stale_seconds,
                          const std::function<bool(std::int64_t)>& alive);
  /// Refreshes the heartbeat of every claim of `run_id`.
  void heartbeat_claims(std::int64_t run_id, double now);
  /// Removes `run_id`'s claim on `key` (after its cell was written, or when it gave up).
  void release_claim(std::string_view key, std::int64_t run_id);

 private:
  ResultsStore(const std::filesystem::path& file, Database::Mode mode, const std::vector<Migration>* migrations);
  void migrate(const std::vector<Migration>& migrations);
  // The statements of begin_run and write_cell, inside the caller's transaction.
  std::int64_t insert_run(const RunRecord& run);
  WriteOutcome insert_cell(std::int64_t run_id, const CellRecord& cell);
  /// The cells matching `where` (an SQL condition on table cells, bound to `key` when it has ?1).
  std::vector<StoredCell> read_cells(std::string_view where, std::optional<std::string_view> key);

  Database db_;
};

/// The newest schema version this kdad writes.
int current_schema_version();

}  // namespace kdad::reports
