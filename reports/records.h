// What the results store keeps: runs (one invocation) and cells (one evaluated unit), with
// provenance, metric values, curves and timings. Plain values only; no metrics/torch types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

/// One cell: an evaluation of one category (by `kdad eval`, or method × dataset × category × seed).
struct CellRecord {
  std::string key;   ///< SHA-256 of everything that determines the result
  std::string kind;  ///< "eval" (maps given as files) or "train_eval"
  std::optional<std::string> method_id;
  std::optional<std::string> method_options;
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
};

/// A cell as read back from the store (metrics and curves by name).
struct StoredCell {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  CellRecord record;
};

}  // namespace kdad::reports
