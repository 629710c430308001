// `kdad compare`: a candidate's results against a baseline's, cell by cell and per method mean,
// with tolerances on accuracy and speed and the significance of differences; the verdict a CI
// job gates on. Rendered as Markdown (for a pull-request comment) or JSON.
#pragma once

#include "metrics/statistics.h"
#include "reports/selection.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kdad::reports {

struct CompareOptions {
  /// Metrics gated (higher is better); those absent from both sides are skipped.
  std::vector<std::string> metrics = {"image_auroc", "pixel_auroc", "au_pro", "pixel_ap", "image_ap", "au_pro_rd4ad"};
  double tolerance = 0.005;         ///< absolute drop allowed on a metric in [0, 1]
  std::map<std::string, double> metric_tolerance;  ///< per-metric overrides of `tolerance`
  double seed_std_multiple = 2.0;   ///< with ≥ 2 seeds a mean may also drop this many baseline seed stds
  double speed_tolerance = 0.25;    ///< relative: the candidate may be up to 25 % slower
  bool gate_speed = true;
  /// When false, cells beyond tolerance are reported but only the means (and cells that failed or
  /// are missing in the candidate) decide the verdict: single cells of small test sets are noisy.
  bool gate_cells = true;
  double alpha = 0.05;              ///< significance level reported beside the deltas
  int resamples = 1000;             ///< paired bootstrap resamples
  std::uint64_t bootstrap_seed = 0;
};

/// One metric of a matched pair (a cell, or a method's mean over categories).
struct MetricDelta {
  std::string metric;
  std::optional<double> baseline;
  std::optional<double> candidate;
  std::optional<double> delta;      ///< candidate − baseline
  double tolerance = 0;             ///< the drop allowed
  std::optional<double> p_value;    ///< significance of the difference, when it can be tested
  std::string test;                 ///< "DeLong", "paired bootstrap", "paired t over seeds", or ""
  bool regression = false;
  std::string note;
};

/// A speed figure as candidate ÷ baseline (calibrated when both runs measured a calibration).
struct SpeedRatio {
  std::string name;  ///< "fit time", "latency p50", "throughput"
  std::optional<double> ratio;
  bool higher_is_better = false;
  bool regression = false;
};

struct CellComparison {
  std::string method, dataset, category;
  std::int64_t seed = 0;
  std::string baseline_status, candidate_status;
  std::vector<MetricDelta> metrics;
  std::vector<SpeedRatio> speed;
  bool regression = false;
  std::string note;
};

struct MeanComparison {
  std::string method, dataset;
  std::size_t categories = 0;
  std::size_t seeds = 0;
  std::vector<MetricDelta> metrics;
  std::vector<SpeedRatio> speed;  ///< over all matched cells: total fit time, mean latency, throughput
  bool regression = false;
};

struct Comparison {
  std::string baseline;   ///< "<database> (runs …)"
  std::string candidate;
  std::string protocol;
  bool calibrated = false;         ///< speed ratios are normalised by each run's calibration
  std::optional<double> calibration_ratio;  ///< candidate calibration ÷ baseline calibration
  CompareOptions options;
  std::vector<CellComparison> cells;
  std::vector<MeanComparison> means;
  std::vector<std::string> missing;  ///< baseline cells the candidate lacks (a regression)
  std::vector<std::string> added;    ///< candidate cells without a baseline (information)
  bool regression = false;
};

/// The absolute drop allowed on `metric`.
double tolerance_of(const CompareOptions& options, const std::string& metric);

/// Matches cells by method, canonical options, dataset fingerprint, category, seed and protocol,
/// and compares them. Throws UsageError (exit 2) when the sides hold different protocols, when a
/// cell's dataset differs between them, or when nothing matches.
Comparison compare(const SelectedCells& baseline, const SelectedCells& candidate, const CompareOptions& options);

/// A Markdown summary fit for a pull-request comment: verdict, means, speed, regressed cells.
std::string comparison_markdown(const Comparison& comparison);
/// Everything, for machines.
nlohmann::json comparison_json(const Comparison& comparison);

}  // namespace kdad::reports
