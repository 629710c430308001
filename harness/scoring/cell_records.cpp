// Cell records from scored images and metrics.
#include "harness/scoring/cell_records.h"

#include "core/error.h"

#include <fmt/format.h>

namespace kdad::harness {

std::vector<reports::ImageRecord> image_records(const std::vector<datasets::SampleRef>& refs,
                                                std::span<const metrics::ScoredImage> images) {
  if (refs.size() != images.size()) {
    throw InternalError("image records", fmt::format("{} samples but {} scored images", refs.size(), images.size()));
  }
  std::vector<reports::ImageRecord> records;
  records.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (refs[i].id != images[i].id) throw InternalError(images[i].id, "scored out of order with its sample list");
    records.push_back({images[i].id, refs[i].defect_type, images[i].label == Label::anomalous ? 1 : 0,
                       static_cast<double>(images[i].score)});
  }
  return records;
}

void add_metric_records(const metrics::CategoryMetrics& metrics, reports::CellRecord& cell) {
  for (const auto& named : metrics::named_values(metrics)) cell.metrics.push_back({named.name, named.value});
  for (const auto& named : metrics::named_curves(metrics)) {
    if (!named.curve->x.empty()) cell.curves.push_back({named.name, named.curve->x, named.curve->y});
  }
}

}  // namespace kdad::harness
