// Seed statistics, bootstrap intervals and DeLong's test.
#include "metrics/statistics.h"

#include "core/rng.h"
#include "metrics/distributions.h"
#include "metrics/ranking_sweep.h"
#include "metrics/score_key.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

namespace kdad::metrics {
namespace {

// Bootstrap differences this close to zero count as ties (F1-max often ties exactly, and
// summation order changes the last bit).
constexpr double kTie = 1e-12;

// numpy's default percentile: linear interpolation between order statistics at q·(n − 1).
double percentile_of_sorted(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(position));
  const std::size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - static_cast<double>(low));
}

struct Strata {
  std::vector<std::size_t> normal;
  std::vector<std::size_t> anomalous;
};

Strata strata(std::span<const int> labels) {
  Strata s;
  for (std::size_t i = 0; i < labels.size(); ++i) (labels[i] ? s.anomalous : s.normal).push_back(i);
  return s;
}

// One stratified resample's indices: normals first, then anomalous images, each drawn uniformly.
void draw(Rng& rng, const Strata& s, std::vector<std::size_t>& out) {
  out.clear();
  for (std::size_t k = 0; k < s.normal.size(); ++k) {
    out.push_back(s.normal[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(s.normal.size()) - 1))]);
  }
  for (std::size_t k = 0; k < s.anomalous.size(); ++k) {
    out.push_back(
        s.anomalous[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(s.anomalous.size()) - 1))]);
  }
}

// The metric on images `indices` of (scores, labels), by the same tie-grouped sweep as image_auroc.
std::optional<double> metric_on(ImageMetric metric, std::span<const double> scores, std::span<const int> labels,
                                const std::vector<std::size_t>& indices) {
  std::vector<std::pair<std::uint32_t, bool>> keyed;
  keyed.reserve(indices.size());
  std::uint64_t positives = 0;
  for (const std::size_t i : indices) {
    positives += labels[i] ? 1 : 0;
    keyed.emplace_back(descending_key(static_cast<float>(scores[i])), labels[i] != 0);
  }
  std::sort(keyed.begin(), keyed.end());
  RankingSweep sweep(keyed.size() - positives, positives, 2.0);  // step 2: no curve is kept
  for (std::size_t i = 0; i < keyed.size();) {
    const std::uint32_t key = keyed[i].first;
    std::uint64_t group_positives = 0;
    std::uint64_t group_negatives = 0;
    for (; i < keyed.size() && keyed[i].first == key; ++i) (keyed[i].second ? group_positives : group_negatives) += 1;
    sweep.add(score_from_descending_key(key), group_negatives, group_positives);
  }
  const BinaryMetrics m = sweep.finish();
  switch (metric) {
    case ImageMetric::auroc: return m.auroc;
    case ImageMetric::ap: return m.ap;
    case ImageMetric::f1_max: return m.f1_max;
  }
  return std::nullopt;
}

std::vector<std::size_t> all_indices(std::size_t n) {
  std::vector<std::size_t> indices(n);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  return indices;
}

bool bootstrappable(const Strata& s) { return s.normal.size() >= 2 && s.anomalous.size() >= 2; }

// Midranks (1-based, ties averaged) of values.
std::vector<double> midranks(const std::vector<double>& values) {
  std::vector<std::size_t> order = all_indices(values.size());
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + 1 + j);  // mean of ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

// DeLong's structural components of one method: V10 per anomalous image, V01 per normal image.
struct Components {
  std::vector<double> v10;
  std::vector<double> v01;
  double auroc = 0;
};

Components structural_components(std::span<const double> scores, const Strata& s) {
  std::vector<double> positives, negatives, all;
  for (const std::size_t i : s.anomalous) positives.push_back(scores[i]);
  for (const std::size_t i : s.normal) negatives.push_back(scores[i]);
  all = positives;
  all.insert(all.end(), negatives.begin(), negatives.end());
  const std::vector<double> rank_positive = midranks(positives);
  const std::vector<double> rank_negative = midranks(negatives);
  const std::vector<double> rank_all = midranks(all);
  const auto m = static_cast<double>(positives.size());
  const auto n = static_cast<double>(negatives.size());
  Components c;
  for (std::size_t i = 0; i < positives.size(); ++i) c.v10.push_back((rank_all[i] - rank_positive[i]) / n);
  for (std::size_t j = 0; j < negatives.size(); ++j) {
    c.v01.push_back(1.0 - (rank_all[positives.size() + j] - rank_negative[j]) / m);
  }
  c.auroc = std::accumulate(c.v10.begin(), c.v10.end(), 0.0) / m;
  return c;
}

// Sample covariance (n − 1) of two equally long lists.
double covariance(const std::vector<double>& x, const std::vector<double>& y) {
  const auto n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sum += (x[i] - mx) * (y[i] - my);
  return sum / (n - 1.0);
}

}  // namespace

SeedStatistics seed_statistics(std::span<const double> values, double level) {
  SeedStatistics s;
  s.n = values.size();
  if (values.empty()) return s;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(s.n);
  if (s.n < 2) return s;
  double squares = 0;
  for (const double v : values) squares += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(s.n - 1));
  const double half = student_t_quantile(0.5 * (1.0 + level), static_cast<double>(s.n - 1)) * *s.std /
                      std::sqrt(static_cast<double>(s.n));
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  return s;
}

std::optional<double> image_metric(ImageMetric metric, std::span<const double> scores, std::span<const int> labels) {
  return metric_on(metric, scores, labels, all_indices(scores.size()));
}

std::optional<BootstrapInterval> bootstrap_interval(ImageMetric metric, std::span<const double> scores,
                                                    std::span<const int> labels, const BootstrapOptions& options) {
  const Strata s = strata(labels);
  if (!bootstrappable(s) || options.resamples < 2) return std::nullopt;
  BootstrapInterval interval;
  interval.estimate = *image_metric(metric, scores, labels);
  Rng rng(options.seed);
  std::vector<double> values;
  std::vector<std::size_t> indices;
  for (int b = 0; b < options.resamples; ++b) {
    draw(rng, s, indices);
    values.push_back(*metric_on(metric, scores, labels, indices));
  }
  std::sort(values.begin(), values.end());
  interval.low = percentile_of_sorted(values, 0.5 * (1.0 - options.level));
  interval.high = percentile_of_sorted(values, 0.5 * (1.0 + options.level));
  return interval;
}

std::optional<PairedDifference> delong_test(std::span<const double> scores_a, std::span<const double> scores_b,
                                            std::span<const int> labels, double level) {
  const Strata s = strata(labels);
  if (!bootstrappable(s)) return std::nullopt;
  const Components a = structural_components(scores_a, s);
  const Components b = structural_components(scores_b, s);
  const auto m = static_cast<double>(s.anomalous.size());
  const auto n = static_cast<double>(s.normal.size());
  const double variance = (covariance(a.v10, a.v10) + covariance(b.v10, b.v10) - 2 * covariance(a.v10, b.v10)) / m +
                          (covariance(a.v01, a.v01) + covariance(b.v01, b.v01) - 2 * covariance(a.v01, b.v01)) / n;
  PairedDifference d;
  d.a = a.auroc;
  d.b = b.auroc;
  d.difference = b.auroc - a.auroc;
  // Cancellation can leave a tiny negative variance for identical rankings.
  const double std_error = std::sqrt(std::max(variance, 0.0));
  if (std_error <= 1e-15) {
    d.low = d.high = d.difference;
    d.p_value = std::abs(d.difference) <= 1e-15 ? 1.0 : 0.0;
    return d;
  }
  const double z = d.difference / std_error;
  d.p_value = std::min(1.0, 2.0 * normal_cdf(-std::abs(z)));
  // Two-sided normal quantile via the t quantile with infinite degrees of freedom would be
  // inexact; invert Φ by bisection instead.
  double low = 0.0, high = 10.0;
  const double target = 0.5 * (1.0 + level);
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (low + high);
    (normal_cdf(mid) < target ? low : high) = mid;
  }
  const double half = 0.5 * (low + high) * std_error;
  d.low = d.difference - half;
  d.high = d.difference + half;
  return d;
}

std::optional<PairedDifference> paired_bootstrap(ImageMetric metric, std::span<const double> scores_a,
                                                 std::span<const double> scores_b, std::span<const int> labels,
                                                 const BootstrapOptions& options) {
  const Strata s = strata(labels);
  if (!bootstrappable(s) || options.resamples < 2) return std::nullopt;
  PairedDifference d;
  d.a = *image_metric(metric, scores_a, labels);
  d.b = *image_metric(metric, scores_b, labels);
  d.difference = d.b - d.a;
  Rng rng(options.seed);
  std::vector<double> differences;
  std::vector<std::size_t> indices;
  std::int64_t at_most_zero = 0, at_least_zero = 0;
  for (int r = 0; r < options.resamples; ++r) {
    draw(rng, s, indices);
    const double delta = *metric_on(metric, scores_b, labels, indices) - *metric_on(metric, scores_a, labels, indices);
    differences.push_back(delta);
    at_most_zero += delta <= kTie ? 1 : 0;
    at_least_zero += delta >= -kTie ? 1 : 0;
  }
  std::sort(differences.begin(), differences.end());
  d.low = percentile_of_sorted(differences, 0.5 * (1.0 - options.level));
  d.high = percentile_of_sorted(differences, 0.5 * (1.0 + options.level));
  d.p_value = std::min(1.0, 2.0 * static_cast<double>(std::min(at_most_zero, at_least_zero) + 1) /
                                static_cast<double>(options.resamples + 1));
  return d;
}

}  // namespace kdad::metrics
