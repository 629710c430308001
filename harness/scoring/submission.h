// MVTec AD 2's submission layout for its evaluation server: each private test image's map as
// anomaly_images/<object>/<test_private|test_private_mixed>/<stem>.tiff (float16, in the image
// frame), optionally binarised at a threshold as anomaly_images_thresholded/.../<stem>.png (0/255),
// and the file counts checked against the server's table.
#pragma once

#include "core/sample.h"

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace kdad::harness {

class Mvtec2Submission {
 public:
  /// Writes under `folder`; with `threshold`, also the binarised maps (pixel ≥ threshold → 255).
  Mvtec2Submission(std::filesystem::path folder, std::optional<double> threshold);

  /// One private test image (id "<object>/<set>/<stem>") with its map in the image frame (CV_32FC1).
  void add(const std::string& id, const cv::Mat& map);

  /// What was written: folder, files per object and set, the published counts, and whether every
  /// count matches (a partial download or a wrong folder shows here). Also for the cell's details.
  nlohmann::json summary() const;

 private:
  std::filesystem::path folder_;
  std::optional<double> threshold_;
  std::map<std::string, std::map<std::string, std::size_t>> written_;  ///< object → set → files
};

}  // namespace kdad::harness
