// The one aggregation every renderer reads (terminal, HTML, LaTeX/Markdown/CSV, compare): stored
// cells grouped by protocol, method and dataset, with statistics over seeds and means over
// categories under one documented rule.
//
// The rule (README, "Means"): a category's value is the mean over its seeds; the mean of a method
// on a dataset is the mean of its category values, and it is defined only when the metric is
// defined in every category of the group (a mean over a subset would not compare with another
// method's mean). A category is undefined for a metric when any of its finished seeds lacks the
// value or none finished. The spread of a mean (± std, 95 % t interval) is taken over the seeds
// that every category has: per such seed, the mean over categories.
#pragma once

#include "metrics/statistics.h"
#include "reports/records.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kdad::reports {

/// A metric as the renderers show it.
struct MetricInfo {
  std::string name;    ///< stored name, e.g. "image_auroc"
  std::string header;  ///< short column header, e.g. "I-AUROC"
};

/// Every scalar metric kdad stores (thresholds excluded), in display order.
const std::vector<MetricInfo>& known_metrics();
/// The short header of a metric; the name itself for unknown ones.
std::string metric_header(std::string_view name);
/// True for "au_pro_<limit>": AU-PRO up to a further FPR limit (header "AU-PRO@<limit>").
bool is_further_au_pro(std::string_view name);

/// One category of a group: its finished cells (one per seed) and failed cells. When the store
/// holds several cells of one seed (different keys, e.g. the dataset changed), the latest wins.
struct CategorySummary {
  std::string category;
  std::vector<const StoredCell*> cells;   ///< status ok, ordered by seed
  std::vector<const StoredCell*> failed;  ///< status failed, ordered by seed
  std::size_t superseded = 0;             ///< older cells of a seed replaced by a later one
  /// Per metric over the finished seeds; absent when the category is undefined for it.
  std::map<std::string, metrics::SeedStatistics> stats;
};

/// One method (label + canonical options, or one maps folder for `kdad eval` cells) on one
/// dataset under one protocol.
struct GroupSummary {
  std::string protocol_id;
  std::string method;          ///< display name, unique within a protocol
  std::string method_options;  ///< canonical options, or the maps folder
  std::string dataset_format;
  std::string dataset_root;
  std::int64_t max_train_images = 0;  ///< the study's cap on training images per category (0 = all)
  std::string dataset;         ///< display name, unique within the summary; "[N train]" when capped
  std::vector<CategorySummary> categories;  ///< sorted by name
  /// Mean over categories per metric (defined only when every category is); std and interval
  /// over the seeds common to all categories.
  std::map<std::string, metrics::SeedStatistics> mean;
  /// Per metric, the categories where it is undefined (why a mean is missing).
  std::map<std::string, std::vector<std::string>> undefined_in;
  std::vector<std::int64_t> seeds;  ///< seeds common to every category, ascending
};

struct Summary {
  std::vector<std::string> protocols;  ///< in order of first appearance
  std::vector<GroupSummary> groups;    ///< by protocol, then first appearance of the method, then dataset
  std::vector<std::string> metrics;    ///< metric names present in any cell, in known_metrics order
};

/// Groups `cells`. The pointers in the result refer into `cells`, which must outlive it.
Summary summarize(const std::vector<StoredCell>& cells);

/// The groups of one protocol.
std::vector<const GroupSummary*> groups_of(const Summary& summary, std::string_view protocol_id);

/// A value's statistics in a category, or nullptr when undefined.
const metrics::SeedStatistics* category_stat(const CategorySummary& category, std::string_view metric);
/// A group's mean, or nullptr when undefined.
const metrics::SeedStatistics* mean_stat(const GroupSummary& group, std::string_view metric);

}  // namespace kdad::reports
