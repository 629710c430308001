// Lookups on stored records by name.
#include "reports/records.h"

namespace kdad::reports {

std::optional<double> metric_value(const CellRecord& cell, std::string_view name) {
  for (const auto& m : cell.metrics) {
    if (m.name == name) return m.value;
  }
  return std::nullopt;
}

const TimingRecord* find_timing(const CellRecord& cell, std::string_view phase) {
  for (const auto& t : cell.timings) {
    if (t.phase == phase) return &t;
  }
  return nullptr;
}

const CurveRecord* find_curve(const CellRecord& cell, std::string_view name) {
  for (const auto& c : cell.curves) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string method_display_name(const CellRecord& cell) {
  if (cell.method_label) return *cell.method_label;
  if (cell.method_id) return *cell.method_id;
  return "maps";
}

}  // namespace kdad::reports
