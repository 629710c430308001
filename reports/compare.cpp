// Comparing a candidate's stored results with a baseline's.
#include "reports/compare.h"

#include "core/error.h"
#include "metrics/distributions.h"
#include "reports/summary.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <map>
#include <set>

namespace kdad::reports {
namespace {

// A drop smaller than this is rounding, not a change (metrics are exact; their sums are not).
constexpr double kEpsilon = 1e-12;

struct Side {
  const SelectedCells* selected;
  std::map<std::string, const StoredCell*> by_key;  // match key → latest cell
};

std::string options_of(const CellRecord& c) { return c.method_id ? c.method_options.value_or("") : ""; }

std::string loose_key(const CellRecord& c) {
  return fmt::format("{}\n{}\n{}\n{}\n{}", c.method_id.value_or("maps"), options_of(c), c.category, c.seed.value_or(0),
                     c.protocol_id);
}

std::string match_key(const CellRecord& c) { return loose_key(c) + "\n" + c.dataset_fingerprint; }

std::string cell_name(const CellRecord& c) {
  return fmt::format("{}/{}/{}/seed {}", method_display_name(c), c.dataset_format, c.category, c.seed.value_or(0));
}

Side index(const SelectedCells& selected) {
  Side side{&selected, {}};
  for (const auto& cell : selected.cells) side.by_key[match_key(cell.record)] = &cell;  // later cells win
  return side;
}

std::string describe(const SelectedCells& s) {
  std::set<std::string> runs;
  for (const auto& r : s.runs) runs.insert(fmt::format("{} git {}{}", r.record.uuid.substr(0, 8), r.record.git_sha.substr(0, 10),
                                                       r.record.git_dirty ? "-dirty" : ""));
  return fmt::format("{} (run {})", s.database.string(), fmt::join(runs, ", "));
}

std::optional<double> calibration_seconds(const SelectedCells& s, const StoredCell& cell) {
  const StoredRun* run = run_of(s, cell);
  if (!run || !run->record.calibration_json) return std::nullopt;
  const auto json = nlohmann::json::parse(*run->record.calibration_json, nullptr, false);
  if (!json.is_object() || !json.contains("seconds") || !json["seconds"].is_number()) return std::nullopt;
  const double seconds = json["seconds"].get<double>();
  return seconds > 0 ? std::optional<double>(seconds) : std::nullopt;
}

// Image scores of two cells paired by sample id; empty when the test sets differ.
struct PairedScores {
  std::vector<double> a, b;
  std::vector<int> labels;
};

std::optional<PairedScores> paired_scores(const CellRecord& base, const CellRecord& cand) {
  if (base.images.empty() || base.images.size() != cand.images.size()) return std::nullopt;
  std::map<std::string, const ImageRecord*> candidate;
  for (const auto& image : cand.images) candidate[image.sample_id] = &image;
  PairedScores p;
  for (const auto& image : base.images) {
    const auto it = candidate.find(image.sample_id);
    if (it == candidate.end() || it->second->label != image.label) return std::nullopt;
    p.a.push_back(image.score);
    p.b.push_back(it->second->score);
    p.labels.push_back(image.label);
  }
  return p;
}

void test_significance(MetricDelta& d, const std::optional<PairedScores>& scores, const CompareOptions& options) {
  if (!scores) return;
  std::optional<metrics::PairedDifference> result;
  if (d.metric == "image_auroc") {
    result = metrics::delong_test(scores->a, scores->b, scores->labels, 1.0 - options.alpha);
    d.test = "DeLong";
  } else if (d.metric == "image_ap" || d.metric == "image_f1_max") {
    const metrics::BootstrapOptions bootstrap{options.resamples, options.bootstrap_seed, 1.0 - options.alpha};
    result = metrics::paired_bootstrap(d.metric == "image_ap" ? metrics::ImageMetric::ap : metrics::ImageMetric::f1_max,
                                       scores->a, scores->b, scores->labels, bootstrap);
    d.test = "paired bootstrap";
  }
  if (result) d.p_value = result->p_value;
  else d.test.clear();
}

void judge(MetricDelta& d) {
  if (d.baseline && d.candidate) {
    d.delta = *d.candidate - *d.baseline;
    d.regression = *d.delta < -d.tolerance - kEpsilon;
  } else if (d.baseline && !d.candidate) {
    d.regression = true;
    d.note = "undefined in the candidate";
  }
}

struct Timing {
  double fit = 0, latency = 0, images = 0, predict_seconds = 0;
  bool has_fit = false, has_predict = false;
};

// A cell's timings divided by its run's calibration (when calibrated).
Timing timing_of(const CellRecord& c, double scale) {
  Timing t;
  if (const auto* fit = find_timing(c, "fit")) {
    t.fit = fit->total_s / scale;
    t.has_fit = fit->total_s > 0;
  }
  if (const auto* p = find_timing(c, "predict_per_image"); p && p->p50_s && p->total_s > 0) {
    t.latency = *p->p50_s / scale;
    t.images = static_cast<double>(p->count);
    t.predict_seconds = p->total_s / scale;
    t.has_predict = true;
  }
  return t;
}

std::vector<SpeedRatio> speed_ratios(const Timing& base, const Timing& cand, std::size_t pairs,
                                     const CompareOptions& options, bool gate) {
  std::vector<SpeedRatio> out;
  auto add = [&](const char* name, bool defined, double b, double c, bool higher_is_better) {
    SpeedRatio r{name, std::nullopt, higher_is_better, false};
    if (defined && b > 0 && c > 0) {
      r.ratio = c / b;
      r.regression = gate && options.gate_speed &&
                     (higher_is_better ? *r.ratio < 1.0 / (1.0 + options.speed_tolerance)
                                       : *r.ratio > 1.0 + options.speed_tolerance);
    }
    out.push_back(r);
  };
  (void)pairs;
  add("fit time", base.has_fit && cand.has_fit, base.fit, cand.fit, false);
  add("latency p50", base.has_predict && cand.has_predict, base.latency, cand.latency, false);
  add("throughput", base.has_predict && cand.has_predict, base.images / std::max(base.predict_seconds, 1e-300),
      cand.images / std::max(cand.predict_seconds, 1e-300), true);
  return out;
}

double sample_std(const std::vector<double>& values) {
  return metrics::seed_statistics(values).std.value_or(0.0);
}

}  // namespace

double tolerance_of(const CompareOptions& options, const std::string& metric) {
  const auto it = options.metric_tolerance.find(metric);
  return it == options.metric_tolerance.end() ? options.tolerance : it->second;
}

Comparison compare(const SelectedCells& baseline, const SelectedCells& candidate, const CompareOptions& options) {
  Comparison out;
  out.options = options;
  out.baseline = describe(baseline);
  out.candidate = describe(candidate);
  std::set<std::string> base_protocols, cand_protocols;
  for (const auto& c : baseline.cells) base_protocols.insert(c.record.protocol_id);
  for (const auto& c : candidate.cells) cand_protocols.insert(c.record.protocol_id);
  if (base_protocols.empty()) throw UsageError(baseline.database.string(), "the baseline selection holds no cells");
  if (cand_protocols.empty()) throw UsageError(candidate.database.string(), "the candidate selection holds no cells");
  if (base_protocols != cand_protocols) {
    throw UsageError("kdad compare", fmt::format("the baseline was evaluated under protocol(s) {} and the candidate under "
                                                 "{}; results of different protocols are never compared (choose one with "
                                                 "--protocol, or re-evaluate under the same protocol)",
                                                 fmt::join(base_protocols, ", "), fmt::join(cand_protocols, ", ")));
  }
  if (base_protocols.size() > 1) {
    throw UsageError("--protocol", fmt::format("both sides hold several protocols ({}); compare one at a time",
                                               fmt::join(base_protocols, ", ")));
  }
  out.protocol = *base_protocols.begin();

  const Side base = index(baseline);
  const Side cand = index(candidate);
  std::map<std::string, std::string> cand_fingerprints;
  for (const auto& [key, cell] : cand.by_key) cand_fingerprints[loose_key(cell->record)] = cell->record.dataset_fingerprint;
  for (const auto& [key, cell] : base.by_key) {
    const auto it = cand_fingerprints.find(loose_key(cell->record));
    if (it != cand_fingerprints.end() && it->second != cell->record.dataset_fingerprint) {
      throw UsageError("kdad compare", fmt::format("{}: the dataset differs between baseline and candidate (fingerprint {} "
                                                   "vs {}); compare results on the same data",
                                                   cell_name(cell->record), cell->record.dataset_fingerprint.substr(0, 12),
                                                   it->second.substr(0, 12)));
    }
  }

  // Calibrated only when every run on both sides measured one.
  out.calibrated = true;
  for (const auto* side : {&baseline, &candidate}) {
    for (const auto& cell : side->cells) out.calibrated = out.calibrated && calibration_seconds(*side, cell).has_value();
  }

  // A cell's metric may move by this many baseline seed stds of its category when it has seeds.
  std::map<std::string, std::vector<double>> seed_values;  // category without seed + metric → values
  auto category_key = [](const CellRecord& c, const std::string& metric) {
    return fmt::format("{}\n{}\n{}\n{}\n{}", c.method_id.value_or("maps"), options_of(c), c.category,
                       c.dataset_fingerprint, metric);
  };
  for (const auto& [key, b] : base.by_key) {
    if (b->record.status != "ok") continue;
    for (const auto& metric : options.metrics) {
      if (const auto v = metric_value(b->record, metric)) seed_values[category_key(b->record, metric)].push_back(*v);
    }
  }
  auto cell_tolerance = [&](const CellRecord& c, const std::string& metric) {
    const auto it = seed_values.find(category_key(c, metric));
    if (it == seed_values.end() || it->second.size() < 2) return tolerance_of(options, metric);
    return std::max(tolerance_of(options, metric), options.seed_std_multiple * sample_std(it->second));
  };

  struct Pair {
    const StoredCell* base;
    const StoredCell* cand;
  };
  std::map<std::string, std::vector<Pair>> groups;  // method + options + dataset → pairs
  std::vector<double> calibration_ratios;
  for (const auto& [key, b] : base.by_key) {
    const auto found = cand.by_key.find(key);
    if (found == cand.by_key.end()) {
      out.missing.push_back(cell_name(b->record));
      continue;
    }
    const StoredCell* c = found->second;
    const CellRecord& br = b->record;
    const CellRecord& cr = c->record;
    CellComparison cell{method_display_name(br), br.dataset_format, br.category, br.seed.value_or(0), br.status, cr.status,
                        {}, {}, false, ""};
    bool failed_in_candidate = false;
    if (br.status == "ok" && cr.status != "ok") {
      cell.regression = true;
      failed_in_candidate = true;
      cell.note = "failed in the candidate: " + cr.message.value_or("");
    } else if (br.status == "ok") {
      const auto scores = paired_scores(br, cr);
      for (const auto& metric : options.metrics) {
        MetricDelta d{metric, metric_value(br, metric), metric_value(cr, metric), std::nullopt,
                      cell_tolerance(br, metric), std::nullopt, "", false, ""};
        if (!d.baseline && !d.candidate) continue;
        judge(d);
        test_significance(d, scores, options);
        cell.regression = cell.regression || d.regression;
        cell.metrics.push_back(d);
      }
      const double bs = out.calibrated ? *calibration_seconds(baseline, *b) : 1.0;
      const double cs = out.calibrated ? *calibration_seconds(candidate, *c) : 1.0;
      if (out.calibrated) calibration_ratios.push_back(cs / bs);
      cell.speed = speed_ratios(timing_of(br, bs), timing_of(cr, cs), 1, options, false);
      groups[fmt::format("{}\n{}\n{}\n{}", method_display_name(br), options_of(br), br.dataset_format, br.dataset_root)]
          .push_back({b, c});
    } else {
      cell.note = "failed in the baseline";
    }
    out.regression = out.regression || failed_in_candidate || (options.gate_cells && cell.regression);
    out.cells.push_back(std::move(cell));
  }
  for (const auto& [key, c] : cand.by_key) {
    if (!base.by_key.count(key)) out.added.push_back(cell_name(c->record));
  }
  if (out.cells.empty()) {
    throw UsageError("kdad compare", "no cell of the baseline matches one of the candidate (same method, options, "
                                     "dataset, category, seed and protocol); nothing to compare");
  }
  if (!calibration_ratios.empty()) {
    double sum = 0;
    for (const double r : calibration_ratios) sum += r;
    out.calibration_ratio = sum / static_cast<double>(calibration_ratios.size());
  }

  // Means per method and dataset over the matched, finished pairs.
  for (const auto& [key, pairs] : groups) {
    MeanComparison mean;
    mean.method = method_display_name(pairs.front().base->record);
    mean.dataset = pairs.front().base->record.dataset_format;
    std::set<std::string> categories;
    std::set<std::int64_t> seeds;
    Timing base_total, cand_total;
    for (const auto& p : pairs) {
      categories.insert(p.base->record.category);
      seeds.insert(p.base->record.seed.value_or(0));
      const double bs = out.calibrated ? *calibration_seconds(baseline, *p.base) : 1.0;
      const double cs = out.calibrated ? *calibration_seconds(candidate, *p.cand) : 1.0;
      for (auto [total, t] : {std::pair{&base_total, timing_of(p.base->record, bs)},
                              std::pair{&cand_total, timing_of(p.cand->record, cs)}}) {
        total->fit += t.fit;
        total->latency += t.latency;
        total->images += t.images;
        total->predict_seconds += t.predict_seconds;
        total->has_fit = total->has_fit || t.has_fit;
        total->has_predict = total->has_predict || t.has_predict;
      }
    }
    mean.categories = categories.size();
    mean.seeds = seeds.size();
    for (const auto& metric : options.metrics) {
      // Per seed: the mean over categories on each side (defined only when every category is).
      std::map<std::int64_t, std::pair<double, double>> per_seed_sum;
      std::map<std::int64_t, std::size_t> per_seed_count;
      bool base_defined = true, cand_defined = true, present = false;
      for (const auto& p : pairs) {
        const auto b = metric_value(p.base->record, metric);
        const auto c = metric_value(p.cand->record, metric);
        present = present || b || c;
        base_defined = base_defined && b.has_value();
        cand_defined = cand_defined && c.has_value();
        auto& sums = per_seed_sum[p.base->record.seed.value_or(0)];
        sums.first += b.value_or(0);
        sums.second += c.value_or(0);
        per_seed_count[p.base->record.seed.value_or(0)] += 1;
      }
      if (!present) continue;
      MetricDelta d{metric, std::nullopt, std::nullopt, std::nullopt, tolerance_of(options, metric), std::nullopt, "",
                    false, ""};
      std::vector<double> base_means, differences;
      double base_sum = 0, cand_sum = 0;
      for (const auto& [seed, sums] : per_seed_sum) {
        const auto n = static_cast<double>(per_seed_count[seed]);
        base_means.push_back(sums.first / n);
        differences.push_back((sums.second - sums.first) / n);
        base_sum += sums.first / n;
        cand_sum += sums.second / n;
      }
      const auto seeds_n = static_cast<double>(per_seed_sum.size());
      if (base_defined) d.baseline = base_sum / seeds_n;
      if (cand_defined) d.candidate = cand_sum / seeds_n;
      if (per_seed_sum.size() >= 2) {
        d.tolerance = std::max(tolerance_of(options, metric), options.seed_std_multiple * sample_std(base_means));
        const double sd = sample_std(differences);
        if (base_defined && cand_defined && sd > 0) {
          const double mean_difference = (cand_sum - base_sum) / seeds_n;
          const double t = mean_difference / (sd / std::sqrt(seeds_n));
          d.p_value = 2.0 * (1.0 - metrics::student_t_cdf(std::abs(t), seeds_n - 1));
          d.test = "paired t over seeds";
        }
      }
      judge(d);
      mean.regression = mean.regression || d.regression;
      mean.metrics.push_back(d);
    }
    mean.speed = speed_ratios(base_total, cand_total, pairs.size(), options, true);
    for (const auto& r : mean.speed) mean.regression = mean.regression || r.regression;
    out.regression = out.regression || mean.regression;
    out.means.push_back(std::move(mean));
  }
  out.regression = out.regression || !out.missing.empty();
  return out;
}

}  // namespace kdad::reports
