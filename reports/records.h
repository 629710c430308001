// What the results store keeps: runs (one invocation) and cells (one evaluated unit), with
// provenance, metric values, curves and timings. Plain values only; no metrics/torch types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdad::reports {

/// One kdad invocation and the environment it ran in.
struct RunRecord {
  std::string uuid;
  std::string command;        ///< "eval", "run", ...
  std::string command_line;   ///< argv, shell-quoted
  std::string started_at;     ///< ISO 8601 UTC
  std::string kdad_version;
  std::string git_sha;
  bool git_dirty = false;
  std::string build_type;
  std::string compiler;
  std::string host;
  std::string library_versions_json;  ///< JSON object name → version
  std::optional<std::string> manifest;         ///< canonical manifest text, when a manifest ran
  std::optional<std::string> manifest_sha256;
  std::int64_t pid = 0;  ///< process id of the invocation (tells a killed run from a running one)
  /// Speed calibration measured in this run (JSON: benchmark name, seconds, threads), or none.
  /// Speeds of two runs are compared as ratios to their own calibration.
  std::optional<std::string> calibration_json;
};

/// A run as read back from the store.
struct StoredRun {
  std::int64_t id = 0;
  RunRecord record;
  std::string status;                   ///< "running", "ok", "failed" or "interrupted"
  std::optional<std::string> ended_at;
};

struct MetricRecord {
  std::string name;
  std::optional<double> value;  ///< NULL = undefined
};

struct CurveRecord {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

/// Durations of one phase, seconds.
struct TimingRecord {
  std::string phase;  ///< e.g. "evaluate", "fit", "predict_per_image"
  std::int64_t count = 1;
  double total_s = 0;
  std::optional<double> p50_s;
  std::optional<double> p95_s;
};

/// One scored test image of a cell.
struct ImageRecord {
  std::string sample_id;    ///< e.g. "bottle/test/crack/000"
  std::string defect_type;  ///< "good" for normal images
  int label = 0;            ///< 0 normal, 1 anomalous
  double score = 0;         ///< image score, higher = more anomalous
};

/// A file written beside the store for a cell (e.g. a heat-map overlay for the gallery).
struct ArtifactRecord {
  std::string kind;       ///< "gallery"
  std::string role;       ///< gallery: "false_alarm", "missed" or "detected"
  std::int64_t rank = 0;  ///< order within the role, 0 = most telling
  std::string sample_id;
  std::string path;       ///< absolute path of the file
  std::int64_t bytes = 0;
};

/// One cell: an evaluation of one category (by `kdad eval`, or method × dataset × category × seed).
struct CellRecord {
  std::string key;   ///< SHA-256 of everything that determines the result
  std::string kind;  ///< "eval" (maps given as files) or "train_eval"
  std::optional<std::string> method_id;
  std::optional<std::string> method_options;
  std::optional<std::string> method_label;      ///< display name, e.g. "rd[tiny]"
  std::string dataset_format;
  std::string dataset_root;
  std::string dataset_fingerprint;
  std::string category;
  std::optional<std::int64_t> seed;
  std::string protocol_id;
  std::string protocol_json;
  std::optional<std::string> maps_source;       ///< folder of the evaluated maps
  std::optional<std::string> maps_fingerprint;  ///< SHA-256 over the decoded maps and image scores
  std::optional<std::string> device;
  std::optional<std::string> weights;           ///< weights file + hash, or "none"
  std::optional<std::string> determinism_json;
  std::string status = "ok";                    ///< "ok" or "failed"
  std::optional<std::string> message;           ///< failure message
  std::string details_json = "{}";              ///< counts and notes (JSON object)
  std::optional<std::int64_t> peak_rss_bytes;     ///< peak resident memory during the cell
  std::optional<std::int64_t> peak_device_bytes;  ///< peak CUDA memory, when on a GPU
  std::optional<std::string> environment_json;    ///< threads, BLAS, allocator, batch sizes (JSON)
  std::string started_at;
  std::string ended_at;
  std::vector<MetricRecord> metrics;
  std::vector<CurveRecord> curves;
  std::vector<TimingRecord> timings;
  std::vector<ImageRecord> images;        ///< every scored test image
  std::vector<ArtifactRecord> artifacts;  ///< bounded: a few MB per cell at most
};

/// A cell as read back from the store (metrics and curves by name).
struct StoredCell {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  CellRecord record;
};

/// The value of metric `name` of a cell; empty when absent or undefined.
std::optional<double> metric_value(const CellRecord& cell, std::string_view name);
/// The timing of `phase`, or nullptr.
const TimingRecord* find_timing(const CellRecord& cell, std::string_view phase);
/// The curve `name`, or nullptr.
const CurveRecord* find_curve(const CellRecord& cell, std::string_view name);
/// The method's display label, else its id, else "maps" (cells of `kdad eval`).
std::string method_display_name(const CellRecord& cell);

}  // namespace kdad::reports
