// The results store's schema (DESIGN.md §4). Never edit a released migration: append a new one.
#include "reports/schema.h"

namespace kdad::reports {

const std::vector<Migration>& builtin_migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  command TEXT NOT NULL,
  command_line TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
  kdad_version TEXT NOT NULL,
  git_sha TEXT NOT NULL,
  git_dirty INTEGER NOT NULL,
  build_type TEXT NOT NULL,
  compiler TEXT NOT NULL,
  host TEXT NOT NULL,
  library_versions TEXT NOT NULL,
  manifest TEXT,
  manifest_sha256 TEXT
);
CREATE TABLE cells (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  kind TEXT NOT NULL,
  method_id TEXT,
  method_options TEXT,
  dataset_format TEXT NOT NULL,
  dataset_root TEXT NOT NULL,
  dataset_fingerprint TEXT NOT NULL,
  category TEXT NOT NULL,
  seed INTEGER,
  protocol_id TEXT NOT NULL,
  protocol TEXT NOT NULL,
  maps_source TEXT,
  maps_fingerprint TEXT,
  device TEXT,
  weights TEXT,
  determinism TEXT,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  message TEXT,
  details TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT NOT NULL
);
CREATE INDEX cells_by_run ON cells(run_id);
CREATE TABLE metrics (
  cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (cell_id, name)
);
CREATE TABLE curves (
  cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  points INTEGER NOT NULL,
  x BLOB NOT NULL,
  y BLOB NOT NULL,
  PRIMARY KEY (cell_id, name)
);
CREATE TABLE timings (
  cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
  phase TEXT NOT NULL,
  count INTEGER NOT NULL,
  total_s REAL NOT NULL,
  p50_s REAL,
  p95_s REAL,
  PRIMARY KEY (cell_id, phase)
);
)sql"},
      // v2: the runner's resource figures and the process id that lets a later run tell a killed
      // run ('running' forever) from one still going.
      {2, R"sql(
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE cells ADD COLUMN peak_rss_bytes INTEGER;
ALTER TABLE cells ADD COLUMN peak_device_bytes INTEGER;
ALTER TABLE cells ADD COLUMN environment TEXT;
)sql"},
      // v3: what reports read beyond the metrics: each test image's score (drill-down,
      // significance tests, re-scoring), the bounded heat-map artifacts of a cell, the display
      // label of a cell's method, and a run's speed calibration (speed is compared as ratios to it).
      {3, R"sql(
ALTER TABLE runs ADD COLUMN calibration TEXT;
ALTER TABLE cells ADD COLUMN method_label TEXT;
CREATE TABLE images (
  cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
  sample_id TEXT NOT NULL,
  defect_type TEXT NOT NULL,
  label INTEGER NOT NULL CHECK (label IN (0, 1)),
  score REAL NOT NULL,
  PRIMARY KEY (cell_id, sample_id)
);
CREATE TABLE artifacts (
  cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  role TEXT NOT NULL,
  rank INTEGER NOT NULL,
  sample_id TEXT NOT NULL,
  path TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (cell_id, kind, role, rank)
);
)sql"},
      // v4: workers sharing a grid (several kdad run processes on one database) claim a cell
      // before computing it. A claim holds while its process lives and its heartbeat (Unix
      // seconds) is fresh; it is removed when the cell is written.
      {4, R"sql(
CREATE TABLE claims (
  cell_key TEXT PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  heartbeat REAL NOT NULL
);
)sql"},
  };
  return kMigrations;
}

}  // namespace kdad::reports
