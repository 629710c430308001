// Statistics over seeds and test images: mean ± std and Student-t intervals, a stratified
// bootstrap interval of image AU-ROC, DeLong's paired test and a paired bootstrap for two methods
// scored on the same test images. Definitions: reference/metrics.md; values checked against
// tests/data/statistics_reference/make_reference.py.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace kdad::metrics {

/// Mean, sample standard deviation and the Student-t confidence interval of the mean of values
/// from independent seeds.
struct SeedStatistics {
  std::size_t n = 0;
  double mean = 0;
  std::optional<double> std;      ///< sample standard deviation (n − 1); needs n ≥ 2
  std::optional<double> ci_low;   ///< mean − t_{(1+level)/2, n−1} · std / √n; needs n ≥ 2
  std::optional<double> ci_high;  ///< mean + the same
};

/// Statistics of `values` (n ≥ 1) at confidence `level` in (0, 1).
SeedStatistics seed_statistics(std::span<const double> values, double level = 0.95);

/// The image-level metric a bootstrap resamples.
enum class ImageMetric { auroc, ap, f1_max };

/// The metric of one ranking of test images; empty when a class is missing.
std::optional<double> image_metric(ImageMetric metric, std::span<const double> scores, std::span<const int> labels);

/// How a bootstrap draws: `resamples` draws of the normal and the anomalous images separately
/// (each with replacement, class sizes kept), from kdad::Rng(seed) in that order.
struct BootstrapOptions {
  int resamples = 2000;
  std::uint64_t seed = 0;
  double level = 0.95;  ///< percentile interval [(1 − level)/2, (1 + level)/2], linear interpolation
};

/// A percentile bootstrap interval of a metric.
struct BootstrapInterval {
  double estimate = 0;  ///< the metric on the full test set
  double low = 0;
  double high = 0;
};

/// Stratified bootstrap interval of one method's image metric (for a single seed). `labels` are
/// 0 (normal) or 1 (anomalous); empty when either class has fewer than two images.
std::optional<BootstrapInterval> bootstrap_interval(ImageMetric metric, std::span<const double> scores,
                                                    std::span<const int> labels, const BootstrapOptions& options);

/// Paired difference b − a of a metric on the same test images, with its significance.
struct PairedDifference {
  double a = 0;           ///< metric of the first (baseline) scores
  double b = 0;           ///< metric of the second (candidate) scores
  double difference = 0;  ///< b − a
  double low = 0;         ///< confidence interval of the difference
  double high = 0;
  double p_value = 1;     ///< two-sided, for "no difference"
};

/// DeLong's test for two correlated AU-ROCs (DeLong, DeLong & Clarke-Pearson 1988, with Sun &
/// Xu's midrank computation): variance of the difference from the structural components,
/// z = difference / standard error, normal two-sided p and interval. When the variance is 0 the
/// interval is the point and p is 1 for a zero difference, 0 otherwise. Empty when either class
/// has fewer than two images.
std::optional<PairedDifference> delong_test(std::span<const double> scores_a, std::span<const double> scores_b,
                                            std::span<const int> labels, double level = 0.95);

/// Paired stratified bootstrap of b − a: the same resampled images for both. Interval by
/// percentiles; p = min(1, 2 · min(#(d ≤ 0) + 1, #(d ≥ 0) + 1) / (resamples + 1)), where |d| ≤ 1e-12
/// counts as 0.
std::optional<PairedDifference> paired_bootstrap(ImageMetric metric, std::span<const double> scores_a,
                                                 std::span<const double> scores_b, std::span<const int> labels,
                                                 const BootstrapOptions& options);

}  // namespace kdad::metrics
