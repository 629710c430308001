// The experiment grid: method × dataset × category × seed, each cell keyed by a hash of
// everything that determines its result.
#pragma once

#include "harness/study/manifest.h"

#include <memory>
#include <filesystem>
#include <string>
#include <vector>

namespace kdad::harness {

/// One unit of work. Pointers refer into the Manifest, which must outlive the cells.
struct Cell {
  std::size_t index = 0;                 ///< position in the grid (0-based)
  const ManifestMethod* method = nullptr;
  const ManifestDataset* dataset = nullptr;
  std::string category;
  std::uint64_t seed = 0;
  std::string dataset_fingerprint;
  std::filesystem::path checkpoint;      ///< a trained state to evaluate instead of training; empty = train
  std::string key;                       ///< SHA-256 hex: method + options + data + protocol + seed + device kind
  /// "label/format/category/seed N", for people.
  std::string name() const;
};

/// The split a cell of `spec`'s dataset sees: as the reader lists it; with training normals held
/// out for validation when the protocol needs a validation threshold (SegF1) and the dataset has no
/// validation split; then the training cap. Grid, cell runner and reproduce all use it.
/// `held_out`, when given, receives the number of training images moved to validation.
datasets::CategorySplit cell_split(const datasets::Dataset& dataset, const ManifestDataset& spec, const std::string& category,
                                   const EvalProtocol& protocol, std::size_t* held_out = nullptr);

/// Expands the grid in manifest order (methods outermost, then datasets, categories, seeds).
/// Opens each dataset once to fingerprint its categories; throws DataError when unreadable.
std::vector<Cell> expand_grid(const Manifest& manifest);

}  // namespace kdad::harness
