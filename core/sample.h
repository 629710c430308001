// The data every layer exchanges: one test or training sample, and a method's prediction for it.
#pragma once

#include <opencv2/core/mat.hpp>

#include <string>

namespace kdad {

/// Image label of the one-class protocol.
enum class Label : int { normal = 0, anomalous = 1 };

/// One image of a dataset, loaded at its original resolution.
struct Sample {
  cv::Mat image;            ///< CV_8UC3 (BGR) or CV_8UC1, H×W, original resolution
  cv::Mat mask;             ///< CV_8UC1 H×W with values 0/1 (1 = defect); empty = no defect pixel
  Label label = Label::normal;
  std::string defect_type;  ///< folder name of the defect, "good" for normal test images
  std::string category;     ///< e.g. "bottle"
  std::string id;           ///< stable id: path relative to the dataset root, without extension
};

/// What a method says about one sample.
struct Prediction {
  cv::Mat anomaly_map;  ///< CV_32FC1, higher = more anomalous; any resolution (resized for evaluation)
  float score = 0.0f;   ///< image-level anomaly score, higher = more anomalous
};

}  // namespace kdad
