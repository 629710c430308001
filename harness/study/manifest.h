// Study manifests (TOML): what to run. Parsed and checked completely before anything runs; every
// problem is reported at once with its line number.
#pragma once

#include "core/error.h"
#include "datasets/format.h"
#include "harness/scoring/protocol.h"
#include "methods/registry.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kdad::harness {

struct ManifestMethod {
  std::string id;
  std::string preset = "default";
  std::map<std::string, std::string> overrides;  ///< option name → value as written
  methods::MethodOptions options;                ///< defaults + preset + overrides, checked
  std::string label;                             ///< display name; defaults to "<id>[<preset>]"
  /// A trained state to evaluate instead of training: a kdad checkpoint folder or an official
  /// checkpoint file, with {category} and {seed} filled per cell; resolved against the manifest's
  /// folder. Empty = train.
  std::string checkpoint;
  int line = 0;
};

/// `method`'s checkpoint for one cell ({category} and {seed} filled in); empty when it trains.
std::filesystem::path checkpoint_path(const ManifestMethod& method, const std::string& category, std::uint64_t seed);

struct ManifestDataset {
  datasets::DatasetFormat format = datasets::DatasetFormat::mvtec_ad;
  std::filesystem::path root;              ///< resolved against the manifest's folder
  std::vector<std::string> categories;     ///< resolved: every category when the manifest says "all"
  datasets::DatasetOptions options;
  std::size_t max_train_images = 0;        ///< seeded cap on training images per category (0 = all)
  int line = 0;
};

/// A parsed, checked study.
struct Manifest {
  std::filesystem::path file;
  std::string name;
  std::string requires_note;               ///< what the study needs that CI does not have (real data, weights)
  std::filesystem::path database;          ///< results store
  std::filesystem::path artifacts;         ///< checkpoints and exported maps
  std::string device = "cpu";
  int threads = 0;                         ///< 0 = all cores
  std::vector<std::uint64_t> seeds = {0};
  bool export_maps = false;                ///< write each cell's maps in the MVTec TIFF layout
  bool save_checkpoints = true;
  bool gallery = true;
  bool calibrate = false;                  ///< time the speed calibration workload before the cells                     ///< write each cell's heat-map gallery (GallerySpec)
  int predict_batch = 1;
  EvalProtocol protocol;
  std::vector<ManifestMethod> methods;
  std::vector<ManifestDataset> datasets;
  std::string canonical;                   ///< canonical JSON of everything above (resolved)
  std::string sha256;                      ///< of `canonical`
};

/// Every problem found in a manifest, each "<file>:<line>: <problem>".
class ManifestError : public ConfigError {
 public:
  explicit ManifestError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

/// Reads and checks a manifest: syntax, unknown keys, types and ranges, method ids, presets and
/// options (against `registry`), dataset formats, roots and categories. Relative paths are taken
/// relative to the manifest's folder. Throws ManifestError listing every problem.
/// `forced` options (e.g. {"pretrained": "none"} from `kdad run --pretrained none`) replace the
/// manifest's value in every method that has that option; a `forced_checkpoint` pattern (from
/// `kdad run --checkpoint`) replaces every method's checkpoint. A checkpoint missing for any cell
/// is a problem naming the path.
/// A `forced_device` (from `kdad run --device`, one per worker sharing a grid) replaces `device`.
Manifest read_manifest(const std::filesystem::path& file, const methods::MethodRegistry& registry,
                       const std::map<std::string, std::string>& forced = {}, const std::string& forced_checkpoint = "",
                       const std::string& forced_device = "");

/// "cpu", "cuda" or "cuda:N": the devices a study may name.
bool is_device_name(const std::string& device);

}  // namespace kdad::harness
