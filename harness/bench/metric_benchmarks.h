// Benchmarks of the evaluation metrics at MVTec AD sizes.
#pragma once

#include "metrics/scored_image.h"

#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace kdad::harness {

/// Generated test sets by (images, side), made on first use and shared between benchmarks.
class MetricFixtures {
 public:
  const std::vector<metrics::ScoredImage>& get(int images, int side);

 private:
  std::map<std::pair<int, int>, std::unique_ptr<std::vector<metrics::ScoredImage>>> cache_;
};

/// metrics/all/... (every metric of a category) and metrics/pixel_auroc_ap_f1_aupro/... at
/// 100×256², 1725×256² (the MVTec AD test set) and 160×1024² (its largest category at native size),
/// on one thread and on all cores.
void register_metric_benchmarks(MetricFixtures& fixtures);

}  // namespace kdad::harness
