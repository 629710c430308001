// The table `kdad run` prints at the end: one row per cell from the store, and per-method means.
#pragma once

#include "harness/study/grid.h"
#include "reports/records.h"

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace kdad::harness {

/// `stored` maps cell keys to what the store holds for them (cells missing from it are shown as
/// not run). Means are over the cells of a method whose value is defined.
void print_study_table(std::ostream& out, const std::vector<Cell>& cells, const std::map<std::string, reports::CellRecord>& stored);

}  // namespace kdad::harness
