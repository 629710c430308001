// What `kdad eval` prints: the per-category table with a mean row, or JSON for machines.
#pragma once

#include "harness/scoring/protocol.h"
#include "metrics/results.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kdad::harness {

/// The outcome of evaluating one category.
struct CategoryOutcome {
  std::string category;
  metrics::CategoryMetrics metrics;
  std::string dataset_fingerprint;
  std::string maps_fingerprint;
  std::size_t resized_maps = 0;
  double seconds = 0;
};

/// Where the evaluation was recorded, if it was.
struct StoreSummary {
  std::string path;
  std::string run_uuid;
  std::size_t inserted = 0;
  std::size_t replaced = 0;
};

/// Mean over categories of each scalar metric (thresholds excluded); undefined when any category's
/// value is undefined, because a mean over a subset would not be comparable.
std::vector<metrics::NamedValue> category_means(const std::vector<CategoryOutcome>& outcomes);

/// The full JSON document (protocol, per-category metrics and counts, means, store).
nlohmann::json eval_json(const EvalProtocol& protocol, const std::vector<CategoryOutcome>& outcomes,
                         const std::optional<StoreSummary>& store);

/// A human-readable table: one row per category plus the mean, then notes.
void print_eval_table(std::ostream& out, const EvalProtocol& protocol, const std::vector<CategoryOutcome>& outcomes,
                      const std::optional<StoreSummary>& store);

}  // namespace kdad::harness
