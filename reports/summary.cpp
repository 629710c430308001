// Grouping stored cells and aggregating them over seeds and categories.
#include "reports/summary.h"

#include "core/sha256.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

namespace kdad::reports {
namespace {

struct GroupKey {
  std::string protocol, method, options, format, root;
  std::int64_t max_train_images = 0;
  auto operator<=>(const GroupKey&) const = default;
};

// The training-image cap a cell ran with (cell details; 0 = all): capped and full runs of one
// dataset are different studies.
std::int64_t max_train_images(const CellRecord& c) {
  const auto details = nlohmann::json::parse(c.details_json.empty() ? "{}" : c.details_json, nullptr, false);
  if (!details.is_object() || !details.contains("max_train_images")) return 0;
  return details["max_train_images"].get<std::int64_t>();
}

GroupKey key_of(const CellRecord& c) {
  return {c.protocol_id, method_display_name(c), c.method_options.value_or(c.maps_source.value_or("")),
          c.dataset_format, c.dataset_root, max_train_images(c)};
}

std::int64_t seed_of(const StoredCell* cell) { return cell->record.seed.value_or(0); }

void summarize_category(CategorySummary& category, const std::vector<std::string>& metric_names) {
  auto by_seed = [](const StoredCell* a, const StoredCell* b) { return seed_of(a) < seed_of(b); };
  std::sort(category.cells.begin(), category.cells.end(), by_seed);
  std::sort(category.failed.begin(), category.failed.end(), by_seed);
  if (category.cells.empty()) return;
  for (const auto& name : metric_names) {
    std::vector<double> values;
    for (const StoredCell* cell : category.cells) {
      if (const auto v = metric_value(cell->record, name)) values.push_back(*v);
    }
    if (values.size() == category.cells.size()) category.stats[name] = metrics::seed_statistics(values);
  }
}

void summarize_means(GroupSummary& group, const std::vector<std::string>& metric_names) {
  // Seeds every category finished.
  std::set<std::int64_t> common;
  for (std::size_t i = 0; i < group.categories.size(); ++i) {
    std::set<std::int64_t> seeds;
    for (const StoredCell* cell : group.categories[i].cells) seeds.insert(seed_of(cell));
    if (i == 0) {
      common = seeds;
    } else {
      std::set<std::int64_t> both;
      std::set_intersection(common.begin(), common.end(), seeds.begin(), seeds.end(), std::inserter(both, both.end()));
      common = both;
    }
  }
  group.seeds.assign(common.begin(), common.end());
  for (const auto& name : metric_names) {
    double sum = 0;
    bool defined = true;
    for (const auto& category : group.categories) {
      const auto* stat = category_stat(category, name);
      if (!stat) {
        defined = false;
        group.undefined_in[name].push_back(category.category);
      } else {
        sum += stat->mean;
      }
    }
    if (!defined || group.categories.empty()) continue;
    // The spread over seeds: per common seed, the mean over categories.
    std::vector<double> per_seed;
    for (const std::int64_t seed : group.seeds) {
      double seed_sum = 0;
      for (const auto& category : group.categories) {
        for (const StoredCell* cell : category.cells) {
          if (seed_of(cell) == seed) seed_sum += *metric_value(cell->record, name);
        }
      }
      per_seed.push_back(seed_sum / static_cast<double>(group.categories.size()));
    }
    metrics::SeedStatistics stat = metrics::seed_statistics(per_seed);
    stat.mean = sum / static_cast<double>(group.categories.size());
    if (per_seed.empty()) stat.n = 0;
    group.mean[name] = stat;
  }
}

// Display names: a method's label, made unique within its protocol by a short hash of its
// options; a dataset's format, with its folder name when one format has several roots.
void name_groups(Summary& summary) {
  std::map<std::pair<std::string, std::string>, std::set<std::string>> options_per_label;
  std::map<std::string, std::set<std::string>> roots_per_format;
  for (const auto& g : summary.groups) {
    options_per_label[{g.protocol_id, g.method}].insert(g.method_options);
    roots_per_format[g.dataset_format].insert(g.dataset_root);
  }
  for (auto& g : summary.groups) {
    if (options_per_label[{g.protocol_id, g.method}].size() > 1) g.method += " #" + sha256_hex(g.method_options).substr(0, 6);
    g.dataset = g.dataset_format;
    if (roots_per_format[g.dataset_format].size() > 1) {
      g.dataset += " (" + std::filesystem::path(g.dataset_root).filename().string() + ")";
    }
    if (g.max_train_images > 0) g.dataset += " [" + std::to_string(g.max_train_images) + " train]";
  }
}

}  // namespace

const std::vector<MetricInfo>& known_metrics() {
  static const std::vector<MetricInfo> kMetrics = {
      {"image_auroc", "I-AUROC"}, {"image_ap", "I-AP"},     {"image_f1_max", "I-F1max"},
      {"pixel_auroc", "P-AUROC"}, {"pixel_ap", "P-AP"},     {"pixel_f1_max", "P-F1max"},
      {"au_pro", "AU-PRO"},       {"au_pro_rd4ad", "PRO-RD4AD"}, {"seg_f1", "SegF1"},
  };
  return kMetrics;
}

bool is_further_au_pro(std::string_view name) {
  return name.rfind("au_pro_", 0) == 0 && name != "au_pro_rd4ad" && name.size() > 7 &&
         std::isdigit(static_cast<unsigned char>(name[7]));
}

std::string metric_header(std::string_view name) {
  for (const auto& m : known_metrics()) {
    if (m.name == name) return m.header;
  }
  if (is_further_au_pro(name)) return "AU-PRO@" + std::string(name.substr(7));
  return std::string(name);
}

Summary summarize(const std::vector<StoredCell>& cells) {
  Summary summary;
  std::set<std::string> present;
  for (const auto& cell : cells) {
    for (const auto& m : cell.record.metrics) present.insert(m.name);
  }
  for (const auto& m : known_metrics()) {
    if (present.count(m.name)) summary.metrics.push_back(m.name);
    if (m.name == "au_pro") {  // AU-PRO up to further limits follows AU-PRO, widest limit first
      std::vector<std::string> further;
      for (const auto& name : present) {
        if (is_further_au_pro(name)) further.push_back(name);
      }
      std::sort(further.begin(), further.end(), [](const std::string& a, const std::string& b) {
        return std::stod(a.substr(7)) > std::stod(b.substr(7));
      });
      summary.metrics.insert(summary.metrics.end(), further.begin(), further.end());
    }
  }

  // First appearance decides the order of protocols, methods and datasets.
  std::map<std::string, std::size_t> protocol_rank, method_rank, dataset_rank;
  std::map<GroupKey, std::map<std::string, CategorySummary>> grouped;
  for (const auto& cell : cells) {
    const CellRecord& c = cell.record;
    const GroupKey key = key_of(c);
    protocol_rank.emplace(key.protocol, protocol_rank.size());
    method_rank.emplace(key.method + '\n' + key.options, method_rank.size());
    dataset_rank.emplace(key.format + '\n' + key.root, dataset_rank.size());
    CategorySummary& category = grouped[key][c.category];
    category.category = c.category;
    // Cells come oldest first: a later cell of the same seed (e.g. after the dataset changed,
    // which gives a new key) supersedes the earlier one.
    for (auto* list : {&category.cells, &category.failed}) {
      const auto old = std::find_if(list->begin(), list->end(),
                                    [&](const StoredCell* other) { return seed_of(other) == seed_of(&cell); });
      if (old != list->end()) {
        list->erase(old);
        ++category.superseded;
      }
    }
    (c.status == "ok" ? category.cells : category.failed).push_back(&cell);
  }
  for (auto& [key, categories] : grouped) {
    GroupSummary group;
    group.protocol_id = key.protocol;
    group.method = key.method;
    group.method_options = key.options;
    group.dataset_format = key.format;
    group.dataset_root = key.root;
    group.max_train_images = key.max_train_images;
    for (auto& [name, category] : categories) {
      summarize_category(category, summary.metrics);
      group.categories.push_back(std::move(category));
    }
    summarize_means(group, summary.metrics);
    summary.groups.push_back(std::move(group));
  }
  std::sort(summary.groups.begin(), summary.groups.end(), [&](const GroupSummary& a, const GroupSummary& b) {
    return std::make_tuple(protocol_rank[a.protocol_id], method_rank[a.method + '\n' + a.method_options],
                           dataset_rank[a.dataset_format + '\n' + a.dataset_root]) <
           std::make_tuple(protocol_rank[b.protocol_id], method_rank[b.method + '\n' + b.method_options],
                           dataset_rank[b.dataset_format + '\n' + b.dataset_root]);
  });
  summary.protocols.resize(protocol_rank.size());
  for (const auto& [id, rank] : protocol_rank) summary.protocols[rank] = id;
  name_groups(summary);
  return summary;
}

std::vector<const GroupSummary*> groups_of(const Summary& summary, std::string_view protocol_id) {
  std::vector<const GroupSummary*> groups;
  for (const auto& g : summary.groups) {
    if (g.protocol_id == protocol_id) groups.push_back(&g);
  }
  return groups;
}

const metrics::SeedStatistics* category_stat(const CategorySummary& category, std::string_view metric) {
  const auto it = category.stats.find(std::string(metric));
  return it == category.stats.end() ? nullptr : &it->second;
}

const metrics::SeedStatistics* mean_stat(const GroupSummary& group, std::string_view metric) {
  const auto it = group.mean.find(std::string(metric));
  return it == group.mean.end() ? nullptr : &it->second;
}

}  // namespace kdad::reports
