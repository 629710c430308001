// Pairs a category's test images with anomaly map files in the MVTec evaluation layout and loads
// them as metric inputs at the ground truth's resolution.
#pragma once

#include "datasets/dataset.h"
#include "harness/scoring/protocol.h"
#include "harness/scoring/scoring.h"
#include "metrics/scored_image.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kdad::harness {

/// The map file expected for a test sample: <maps_root>/<sample id>.tiff.
std::filesystem::path map_file_for(const std::filesystem::path& maps_root, const datasets::SampleRef& ref);

/// The top folders of a category's test ids (e.g. "bottle"; "test" for KolektorSDD2), which hold
/// its maps under the maps root.
std::vector<std::string> map_folders(const datasets::CategorySplit& split);

/// Checks that the category's map folders hold one map per test image (and per validation image
/// when `need_validation`): throws DataError naming the first missing map, or the first file that
/// belongs to no image of the split (maps of validation and unlabelled images are allowed).
/// OS junk (datasets::is_os_junk: hidden names, Thumbs.db, desktop.ini) is ignored; files without
/// a .tif/.tiff extension (a scores.csv, a README) are not maps and are returned, sorted, for a
/// note; an extra .tif/.tiff stays an error.
std::vector<std::filesystem::path> check_map_files(const datasets::CategorySplit& split, const std::filesystem::path& maps_root,
                                                   bool need_validation = false);

/// True for .tif and .tiff (any case): the files of a maps folder taken as maps.
bool is_map_extension(const std::filesystem::path& file);

struct ValidationMaps {
  metrics::PixelStatistics statistics;  ///< of every pixel, at the protocol's resolution
  std::string fingerprint;              ///< SHA-256 over ids and decoded maps
};

/// The validation images' maps (SegF1's threshold), read one at a time. Throws DataError naming an
/// unreadable or non-finite map.
ValidationMaps read_validation_maps(const datasets::CategorySplit& split, const std::filesystem::path& maps_root,
                                    const EvalProtocol& protocol, const MapFrame& frame);

/// Checks that `scores` has a score for every test image of `split` and none for an image of this
/// category that does not exist; throws DataError naming the image and the scores file.
void check_scores(const datasets::CategorySplit& split, const std::map<std::string, float>& scores,
                  const std::filesystem::path& scores_file);

struct CategoryInputs {
  std::vector<metrics::ScoredImage> images;  ///< in the split's test order
  std::string maps_fingerprint;              ///< SHA-256 over ids, decoded maps and image scores
  std::size_t resized_maps = 0;              ///< maps resized to their image (native resolution)
};

/// Loads masks (binarised, native resolution) and maps, and scores them by `protocol` through
/// score_map: at native resolution each map is resized to its image; at method resolution each
/// mask is resized to its map's size by `frame.mask_rule`. Image score = the given score, or the
/// maximum of the map as stored (before any resize). Runs on `threads` workers. Throws DataError
/// naming the file for unreadable maps or masks and for a mask whose size differs from its image.
CategoryInputs load_category_inputs(const datasets::Dataset& dataset, const datasets::CategorySplit& split,
                                    const std::filesystem::path& maps_root, const std::map<std::string, float>* scores,
                                    const EvalProtocol& protocol, const MapFrame& frame, int threads);

}  // namespace kdad::harness
