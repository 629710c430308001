// One cell: fit → predict → evaluate through the Method interface, with timings, memory and
// provenance, as a record for the store. Failures become failed records, never crashes.
#pragma once

#include "harness/study/grid.h"
#include "harness/study/progress.h"
#include "methods/registry.h"
#include "reports/records.h"

#include <map>
#include <memory>

namespace kdad::harness {

/// Datasets opened once per study (opening reads indexes, CSVs or whole container files).
class DatasetCache {
 public:
  const datasets::Dataset& get(const ManifestDataset& dataset);

 private:
  std::map<const ManifestDataset*, std::unique_ptr<datasets::Dataset>> opened_;
};

struct CellRunContext {
  const Manifest& manifest;
  const methods::MethodRegistry& registry;
  DatasetCache& datasets;
  ProgressReporter& progress;
  int threads = 1;
};

/// Runs one cell. Every kdad::Error or std::exception raised by the method or the data becomes
/// a record with status "failed" and the message; the sweep goes on.
reports::CellRecord run_cell(const Cell& cell, const CellRunContext& context);

/// The folder holding a cell's checkpoint and exported maps: <artifacts>/<first 16 key digits>.
std::filesystem::path cell_artifacts(const Manifest& manifest, const Cell& cell);

}  // namespace kdad::harness
