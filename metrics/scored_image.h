// The evaluation input for one test image: its anomaly map, ground truth and image score.
#pragma once

#include "core/sample.h"

#include <opencv2/core/mat.hpp>

#include <string>

namespace kdad::metrics {

/// One test image as the metrics see it, at the ground truth's resolution.
struct ScoredImage {
  std::string id;          ///< names the image in error messages, e.g. "bottle/test/crack/000"
  cv::Mat map;             ///< CV_32FC1 H×W anomaly map, finite values, higher = more anomalous
  cv::Mat mask;            ///< CV_8UC1 H×W, non-zero = defect; empty = no defect pixel
  Label label = Label::normal;
  float score = 0.0f;      ///< image score (finite)
};

}  // namespace kdad::metrics
