// The experiment grid and cell keys.
#include "harness/study/grid.h"

#include "core/sha256.h"
#include "datasets/fingerprint.h"
#include "datasets/training_subset.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

namespace kdad::harness {

std::string Cell::name() const {
  return fmt::format("{}/{}/{}/seed{}", method->label, datasets::format_name(dataset->format), category, seed);
}

namespace {

// SHA-256 of a checkpoint file, or of a checkpoint folder's files (names and contents, sorted):
// a cell evaluating other weights is another cell.
std::string trained_state_digest(const std::filesystem::path& path) {
  if (!std::filesystem::is_directory(path)) return sha256_file_hex(path);
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) files[entry.path().lexically_relative(path).string()] = sha256_file_hex(entry.path());
  }
  return sha256_hex(nlohmann::json(files).dump());
}

}  // namespace

datasets::CategorySplit cell_split(const datasets::Dataset& dataset, const ManifestDataset& spec, const std::string& category,
                                   const EvalProtocol& protocol, std::size_t* held_out) {
  datasets::CategorySplit split = dataset.split(category);
  const std::size_t moved = protocol.seg_f1 ? datasets::hold_out_validation(split, protocol.validation_fraction) : 0;
  if (held_out) *held_out = moved;
  datasets::limit_training_images(split, spec.max_train_images);
  return split;
}

std::vector<Cell> expand_grid(const Manifest& manifest) {
  // Fingerprints depend on the data only: compute each (dataset, category) once.
  std::map<std::pair<const ManifestDataset*, std::string>, std::string> fingerprints;
  for (const auto& dataset : manifest.datasets) {
    const auto opened = datasets::open_dataset(dataset.format, dataset.root, dataset.options);
    for (const auto& category : dataset.categories) {
      // The hold-out and the cap are part of the data a cell sees.
      fingerprints[{&dataset, category}] = datasets::fingerprint_split(cell_split(*opened, dataset, category, manifest.protocol));
    }
  }
  const std::string device_kind = manifest.device.rfind("cuda", 0) == 0 ? "cuda" : "cpu";
  std::vector<Cell> cells;
  for (const auto& method : manifest.methods) {
    for (const auto& dataset : manifest.datasets) {
      for (const auto& category : dataset.categories) {
        for (const std::uint64_t seed : manifest.seeds) {
          Cell cell;
          cell.index = cells.size();
          cell.method = &method;
          cell.dataset = &dataset;
          cell.category = category;
          cell.seed = seed;
          cell.dataset_fingerprint = fingerprints.at({&dataset, category});
          nlohmann::json identity = {{"kind", "train_eval"},
                                                {"method", method.id},
                                                {"options", method.options.canonical()},
                                                {"dataset_format", datasets::format_name(dataset.format)},
                                                {"dataset", cell.dataset_fingerprint},
                                                {"category", category},
                                                {"seed", seed},
                                                {"protocol", protocol_id(manifest.protocol)},
                                                {"device", device_kind}};
          if (!method.checkpoint.empty()) {
            cell.checkpoint = checkpoint_path(method, category, seed);
            identity["kind"] = "checkpoint_eval";
            identity["checkpoint"] = trained_state_digest(cell.checkpoint);
          }
          cell.key = sha256_hex(identity.dump());
          cells.push_back(std::move(cell));
        }
      }
    }
  }
  return cells;
}

}  // namespace kdad::harness
