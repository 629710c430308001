// What a scored category adds to its cell record: per-image scores, metric values and curves.
// Shared by `kdad run` and `kdad eval`, so both store the same things under the same names.
#pragma once

#include "datasets/dataset.h"
#include "metrics/results.h"
#include "metrics/scored_image.h"
#include "reports/records.h"

#include <span>
#include <vector>

namespace kdad::harness {

/// One record per scored test image; `refs` and `images` list the same images in the same order.
std::vector<reports::ImageRecord> image_records(const std::vector<datasets::SampleRef>& refs,
                                                std::span<const metrics::ScoredImage> images);

/// Appends every named metric value and every non-empty curve of `metrics` to `cell`.
void add_metric_records(const metrics::CategoryMetrics& metrics, reports::CellRecord& cell);

}  // namespace kdad::harness
