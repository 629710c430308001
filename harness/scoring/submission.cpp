// MVTec AD 2's submission layout.
#include "harness/scoring/submission.h"

#include "core/error.h"
#include "datasets/image_io.h"
#include "datasets/mvtec_ad2.h"

#include <opencv2/core.hpp>

#include <utility>

namespace kdad::harness {
namespace fs = std::filesystem;

Mvtec2Submission::Mvtec2Submission(fs::path folder, std::optional<double> threshold)
    : folder_(fs::absolute(folder).lexically_normal()), threshold_(threshold) {}

void Mvtec2Submission::add(const std::string& id, const cv::Mat& map) {
  const auto first = id.find('/');
  const auto second = id.find('/', first + 1);
  if (first == std::string::npos || second == std::string::npos) throw InternalError(id, "not an MVTec AD 2 private test image id");
  const std::string object = id.substr(0, first);
  const std::string set = id.substr(first + 1, second - first - 1);
  if (set != "test_private" && set != "test_private_mixed") return;  // only the server's two sets
  datasets::write_float16_tiff(folder_ / "anomaly_images" / (id + ".tiff"), map);
  if (threshold_) {
    cv::Mat binary = map >= *threshold_;  // 0 or 255
    datasets::write_image(folder_ / "anomaly_images_thresholded" / (id + ".png"), binary);
  }
  ++written_[object][set];
}

nlohmann::json Mvtec2Submission::summary() const {
  nlohmann::json objects = nlohmann::json::object();
  bool complete = !written_.empty();
  for (const auto& [object, sets] : written_) {
    const std::optional<std::size_t> published = datasets::mvtec_ad2_private_images(object);
    nlohmann::json entry = {{"published", published ? nlohmann::json(*published) : nlohmann::json(nullptr)}};
    for (const char* set : {"test_private", "test_private_mixed"}) {
      const auto it = sets.find(set);
      const std::size_t count = it == sets.end() ? 0 : it->second;
      entry[set] = count;
      complete = complete && published && count == *published;
    }
    objects[object] = entry;
  }
  return {{"folder", folder_.string()},
          {"thresholded", threshold_.has_value()},
          {"objects", objects},
          {"complete", complete}};
}

}  // namespace kdad::harness
