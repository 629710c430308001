// The bridge between kdad's images (FloatImage, cv::Mat) and torch tensors, and device parsing.
#pragma once

#include "datasets/preprocess.h"

#include <opencv2/core/mat.hpp>
#include <torch/types.h>

#include <string>
#include <vector>

namespace kdad::methods {

/// Stacks CHW float images of one size into an N×C×H×W float tensor on `device`.
torch::Tensor stack_images(const std::vector<datasets::FloatImage>& images, const torch::Device& device);

/// A 2-D float tensor (any device) as a CV_32FC1 matrix (copied).
cv::Mat tensor_to_mat(const torch::Tensor& map);

/// "cpu", "cuda" or "cuda:N" as a torch device; throws ConfigError when CUDA is asked for but this
/// LibTorch has none, or N is not below the number of GPUs it sees.
torch::Device parse_device(const std::string& device);

}  // namespace kdad::methods
