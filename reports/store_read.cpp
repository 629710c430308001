// Reading runs and cells back from the results store (reports read only from here).
#include "reports/store.h"

#include <cstring>
#include <map>

namespace kdad::reports {
namespace {

std::vector<double> from_blob(const std::vector<unsigned char>& bytes) {
  std::vector<double> values(bytes.size() / sizeof(double));
  if (!values.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(double));
  return values;
}

std::optional<std::string> text_or_null(const Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.column_text(column);
}

std::optional<double> double_or_null(const Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.column_double(column);
}

std::optional<std::int64_t> int_or_null(const Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.column_int(column);
}

constexpr const char* kCellColumns =
    "id, run_id, key, kind, method_id, method_options, dataset_format, dataset_root, dataset_fingerprint, "
    "category, seed, protocol_id, protocol, maps_source, maps_fingerprint, device, weights, determinism, "
    "status, message, details, started_at, ended_at, peak_rss_bytes, peak_device_bytes, environment, method_label";

StoredCell cell_from_row(const Statement& row) {
  StoredCell stored;
  stored.id = row.column_int(0);
  stored.run_id = row.column_int(1);
  CellRecord& c = stored.record;
  c.key = row.column_text(2);
  c.kind = row.column_text(3);
  c.method_id = text_or_null(row, 4);
  c.method_options = text_or_null(row, 5);
  c.dataset_format = row.column_text(6);
  c.dataset_root = row.column_text(7);
  c.dataset_fingerprint = row.column_text(8);
  c.category = row.column_text(9);
  c.seed = int_or_null(row, 10);
  c.protocol_id = row.column_text(11);
  c.protocol_json = row.column_text(12);
  c.maps_source = text_or_null(row, 13);
  c.maps_fingerprint = text_or_null(row, 14);
  c.device = text_or_null(row, 15);
  c.weights = text_or_null(row, 16);
  c.determinism_json = text_or_null(row, 17);
  c.status = row.column_text(18);
  c.message = text_or_null(row, 19);
  c.details_json = row.column_text(20);
  c.started_at = row.column_text(21);
  c.ended_at = row.column_text(22);
  c.peak_rss_bytes = int_or_null(row, 23);
  c.peak_device_bytes = int_or_null(row, 24);
  c.environment_json = text_or_null(row, 25);
  c.method_label = text_or_null(row, 26);
  return stored;
}

}  // namespace

std::optional<StoredCell> ResultsStore::find_cell(std::string_view key) {
  auto found = read_cells("key = ?1", key);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<StoredCell> ResultsStore::cells() { return read_cells("1", std::nullopt); }

std::vector<StoredCell> ResultsStore::read_cells(std::string_view where, std::optional<std::string_view> key) {
  std::vector<StoredCell> cells;
  std::map<std::int64_t, std::size_t> index;  // cell id → position
  {
    Statement query = db_.prepare(std::string("SELECT ") + kCellColumns + " FROM cells WHERE " + std::string(where) +
                                  " ORDER BY id");
    if (key) query.bind(1, *key);
    while (query.step()) {
      cells.push_back(cell_from_row(query));
      index[cells.back().id] = cells.size() - 1;
    }
  }
  if (cells.empty()) return cells;
  // One pass per child table; rows of cells outside the selection are skipped.
  const std::string selection = std::string("SELECT id FROM cells WHERE ") + std::string(where);
  auto child_rows = [&](const std::string& sql, auto&& consume) {
    Statement query = db_.prepare(sql + " WHERE cell_id IN (" + selection + ") ORDER BY cell_id, rowid");
    if (key) query.bind(1, *key);
    while (query.step()) consume(cells[index.at(query.column_int(0))].record, query);
  };
  child_rows("SELECT cell_id, name, value FROM metrics", [](CellRecord& c, const Statement& row) {
    c.metrics.push_back({row.column_text(1), double_or_null(row, 2)});
  });
  child_rows("SELECT cell_id, name, x, y FROM curves", [](CellRecord& c, const Statement& row) {
    c.curves.push_back({row.column_text(1), from_blob(row.column_blob(2)), from_blob(row.column_blob(3))});
  });
  child_rows("SELECT cell_id, phase, count, total_s, p50_s, p95_s FROM timings", [](CellRecord& c, const Statement& row) {
    c.timings.push_back({row.column_text(1), row.column_int(2), row.column_double(3), double_or_null(row, 4),
                         double_or_null(row, 5)});
  });
  child_rows("SELECT cell_id, sample_id, defect_type, label, score FROM images", [](CellRecord& c, const Statement& row) {
    c.images.push_back({row.column_text(1), row.column_text(2), static_cast<int>(row.column_int(3)), row.column_double(4)});
  });
  child_rows("SELECT cell_id, kind, role, rank, sample_id, path, bytes FROM artifacts",
             [](CellRecord& c, const Statement& row) {
               c.artifacts.push_back({row.column_text(1), row.column_text(2), row.column_int(3), row.column_text(4),
                                      row.column_text(5), row.column_int(6)});
             });
  return cells;
}

std::vector<StoredRun> ResultsStore::runs() {
  std::vector<StoredRun> runs;
  Statement query = db_.prepare(
      "SELECT id, uuid, command, command_line, started_at, ended_at, status, kdad_version, git_sha, git_dirty, "
      "build_type, compiler, host, library_versions, manifest, manifest_sha256, pid, calibration FROM runs ORDER BY id");
  while (query.step()) {
    StoredRun run;
    run.id = query.column_int(0);
    RunRecord& r = run.record;
    r.uuid = query.column_text(1);
    r.command = query.column_text(2);
    r.command_line = query.column_text(3);
    r.started_at = query.column_text(4);
    run.ended_at = text_or_null(query, 5);
    run.status = query.column_text(6);
    r.kdad_version = query.column_text(7);
    r.git_sha = query.column_text(8);
    r.git_dirty = query.column_int(9) != 0;
    r.build_type = query.column_text(10);
    r.compiler = query.column_text(11);
    r.host = query.column_text(12);
    r.library_versions_json = query.column_text(13);
    r.manifest = text_or_null(query, 14);
    r.manifest_sha256 = text_or_null(query, 15);
    r.pid = query.is_null(16) ? 0 : query.column_int(16);
    r.calibration_json = text_or_null(query, 17);
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace kdad::reports
