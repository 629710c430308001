// Building ScoredImage inputs from small literal arrays for the metric tests.
#pragma once

#include "metrics/scored_image.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace kdad::test {

/// An image from a row-major map and mask (0/1) of size rows×cols; score = map maximum.
inline metrics::ScoredImage scored_image(const std::string& id, int rows, int cols, const std::vector<float>& map,
                                         const std::vector<int>& mask, Label label) {
  metrics::ScoredImage image;
  image.id = id;
  image.map = cv::Mat(rows, cols, CV_32F);
  image.mask = cv::Mat(rows, cols, CV_8U);
  for (int i = 0; i < rows * cols; ++i) {
    image.map.at<float>(i / cols, i % cols) = map[static_cast<std::size_t>(i)];
    image.mask.at<unsigned char>(i / cols, i % cols) = static_cast<unsigned char>(mask[static_cast<std::size_t>(i)]);
  }
  double max_value = 0;
  cv::minMaxLoc(image.map, nullptr, &max_value);
  image.score = static_cast<float>(max_value);
  image.label = label;
  return image;
}

}  // namespace kdad::test
