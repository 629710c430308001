// Pairing and loading anomaly maps for evaluation.
#include "harness/scoring/map_inputs.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/sha256.h"
#include "datasets/image_io.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <set>

namespace kdad::harness {
namespace fs = std::filesystem;

namespace {

cv::Mat read_finite_map(const fs::path& file) {
  cv::Mat map = datasets::read_anomaly_map(file);
  cv::Point bad;
  if (!cv::checkRange(map, true, &bad)) {
    const float value = map.at<float>(bad);
    throw DataError(file.string(), fmt::format("anomaly map holds {} at pixel (x={}, y={}); maps must be finite",
                                               std::isnan(value) ? "NaN" : "an infinite value", bad.x, bad.y));
  }
  return map;
}

std::string map_hash(const std::string& id, const cv::Mat& map) {
  Sha256 hash;
  hash.update(fmt::format("{}\t{}x{}\t", id, map.cols, map.rows));
  for (int y = 0; y < map.rows; ++y) hash.update(map.ptr<float>(y), static_cast<std::size_t>(map.cols) * sizeof(float));
  return hash.hex_digest();
}

}  // namespace

fs::path map_file_for(const fs::path& maps_root, const datasets::SampleRef& ref) {
  return maps_root / (ref.id + ".tiff");
}

std::vector<std::string> map_folders(const datasets::CategorySplit& split) {
  std::set<std::string> folders;
  for (const auto& ref : split.test) folders.insert(ref.id.substr(0, ref.id.find('/')));
  return {folders.begin(), folders.end()};
}

bool is_map_extension(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".tif" || ext == ".tiff";
}

std::vector<fs::path> check_map_files(const datasets::CategorySplit& split, const fs::path& maps_root, bool need_validation) {
  std::vector<fs::path> skipped;
  std::error_code ec;
  const std::vector<std::string> folders = map_folders(split);
  for (const auto& name : folders) {
    if (!fs::is_directory(maps_root / name, ec)) {
      throw DataError((maps_root / name).string(), fmt::format("no maps for category '{}' (folder missing)", split.category));
    }
  }
  std::set<fs::path> expected;
  for (const auto* list : {&split.test, &split.validation}) {
    const bool required = list == &split.test || need_validation;
    for (const auto& ref : *list) {
      const fs::path file = map_file_for(maps_root, ref);
      if (required && !fs::is_regular_file(file, ec)) {
        throw DataError(file.string(), fmt::format("missing anomaly map for {} image {}", list == &split.test ? "test" : "validation",
                                                   ref.image.string()));
      }
      expected.insert(file.lexically_normal());
    }
  }
  // Maps of images without ground truth (MVTec AD 2's private tests, as kdad run exports them) are
  // allowed and not scored.
  for (const auto& ref : split.unlabelled) expected.insert(map_file_for(maps_root, ref).lexically_normal());
  for (const auto& name : folders) {
    const fs::path folder = maps_root / name;
    for (auto it = fs::recursive_directory_iterator(folder, ec); it != fs::recursive_directory_iterator(); ++it) {
      if (datasets::is_os_junk(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_directory()) continue;
      if (!is_map_extension(it->path())) {
        skipped.push_back(it->path());
        continue;
      }
      if (!expected.count(it->path().lexically_normal())) {
        throw DataError(it->path().string(), "extra file in the maps folder: it matches no test image of the dataset");
      }
    }
    if (ec) throw DataError(folder.string(), "cannot list maps folder: " + ec.message());
  }
  std::sort(skipped.begin(), skipped.end());
  return skipped;
}

void check_scores(const datasets::CategorySplit& split, const std::map<std::string, float>& scores,
                  const fs::path& scores_file) {
  std::set<std::string> expected;
  for (const auto& ref : split.test) {
    if (!scores.count(ref.id)) throw DataError(scores_file.string(), fmt::format("no score for image '{}'", ref.id));
    expected.insert(ref.id);
  }
  const std::string prefix = split.category + "/";
  for (const auto& [id, score] : scores) {
    if (id.rfind(prefix, 0) == 0 && !expected.count(id)) {
      throw DataError(scores_file.string(), fmt::format("score for '{}', which is not a test image of the dataset", id));
    }
  }
}

ValidationMaps read_validation_maps(const datasets::CategorySplit& split, const fs::path& maps_root, const EvalProtocol& protocol,
                                    const MapFrame& frame) {
  ValidationMaps out;
  Sha256 combined;
  combined.update("kdad-validation-maps/v1\n");
  for (const auto& ref : split.validation) {
    const cv::Mat map = read_finite_map(map_file_for(maps_root, ref));
    combined.update(map_hash(ref.id, map) + "\n");
    out.statistics.add(score_map(ref.id, Label::normal, 0.0f, map, cv::Mat(), datasets::image_size(ref.image), frame, protocol).map);
  }
  out.fingerprint = combined.hex_digest();
  return out;
}

CategoryInputs load_category_inputs(const datasets::Dataset& dataset, const datasets::CategorySplit& split,
                                    const fs::path& maps_root, const std::map<std::string, float>* scores,
                                    const EvalProtocol& protocol, const MapFrame& frame, int threads) {
  CategoryInputs inputs;
  inputs.images.resize(split.test.size());
  std::vector<std::string> image_hashes(split.test.size());
  std::vector<char> resized(split.test.size(), 0);
  parallel_for(split.test.size(), threads, [&](std::size_t i, int) {
    const datasets::SampleRef& ref = split.test[i];
    cv::Size native;
    cv::Mat mask;
    if (ref.record >= 0) {  // a record inside a container file: its size is known only by loading it
      const Sample sample = dataset.load(ref);
      native = sample.image.size();
      mask = sample.mask;
    } else {
      native = datasets::image_size(ref.image);
      if (!ref.mask.empty()) {
        mask = datasets::read_mask(ref.mask);
        if (mask.size() != native) {
          throw DataError(ref.mask.string(),
                          fmt::format("mask is {}x{} but its image is {}x{}", mask.cols, mask.rows, native.width, native.height));
        }
      }
    }
    const cv::Mat map = read_finite_map(map_file_for(maps_root, ref));
    image_hashes[i] = map_hash(ref.id, map);

    float score = 0;
    if (scores) {
      score = scores->at(ref.id);
    } else {
      double max_value = 0;
      cv::minMaxLoc(map, nullptr, &max_value);
      score = static_cast<float>(max_value);  // the map as stored, before any resize
    }
    resized[i] = protocol.resolution == MapResolution::native && map.size() != native;
    inputs.images[i] = score_map(ref.id, ref.label, score, map, mask, native, frame, protocol);
  });
  Sha256 combined;
  combined.update("kdad-maps-fingerprint/v1\n");
  for (std::size_t i = 0; i < image_hashes.size(); ++i) {
    combined.update(fmt::format("{}\t{:08x}\n", image_hashes[i], std::bit_cast<std::uint32_t>(inputs.images[i].score)));
    inputs.resized_maps += static_cast<std::size_t>(resized[i]);
  }
  inputs.maps_fingerprint = combined.hex_digest();
  return inputs;
}

}  // namespace kdad::harness
