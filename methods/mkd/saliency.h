// MKD's detection score and its gradient-based localization (the official test_functions.py and
// utils.py): the score's gradient with respect to the input through both networks, by vanilla
// gradients, SmoothGrad or guided backpropagation, and the official post-processing of each.
#pragma once

#include "methods/common/backbones.h"
#include "methods/mkd/cloner.h"

#include <opencv2/core/mat.hpp>
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace kdad::methods {

enum class MkdLocalization { gradients, smooth_grad, gbp };

/// Parses "gradients", "smooth_grad" or "gbp"; throws ConfigError naming the option otherwise.
MkdLocalization parse_mkd_localization(const std::string& text);

/// Per image (N): Σ over the critical points from `first` on of (1 − cos(vec C_k, vec S_k)) +
/// λ·mean((C_k − S_k)²), cosine over each image's whole flattened map (eps 1e-8). The training
/// loss is its batch mean over CP1–CP4 (first = 0); the detection score drops CP1 (first = 1).
torch::Tensor mkd_discrepancy(const std::vector<torch::Tensor>& cloner, const std::vector<torch::Tensor>& source,
                              double lambda, std::size_t first);

/// The networks MKD's localization differentiates through (both in eval mode).
struct MkdNetworks {
  BackboneImpl& source;
  MkdClonerImpl& cloner;
  double lambda = 0.5;
};

/// ∂score_i/∂x_i for every image of the N×3×H×W batch `x` (images are independent in eval mode, so
/// one backward of the summed scores gives each image's own gradient): N×3×H×W. `guided` uses the
/// cloner's guided-backprop ReLUs (the source's stay plain). `scores`, when given, receives the
/// detection scores (N) of the same forward pass. No parameter gradient is accumulated.
torch::Tensor score_gradients(const MkdNetworks& networks, const torch::Tensor& x, bool guided,
                              torch::Tensor* scores = nullptr);

/// The official grey map of one image's gradient (3×H×W): Σ over channels of |g|, then
/// (v − min) / (p99 − min) clipped to [0, 1], p99 the 99th percentile with linear interpolation
/// (NumPy's default). A constant map gives zeros. H×W CV_32FC1.
cv::Mat grey_saliency(const torch::Tensor& gradient);

/// (v − min) / (max − min); zeros when the map is constant. CV_32FC1.
cv::Mat min_max_scaled(const cv::Mat& map);

/// Draws `count` standard-normal noise images shaped like one input (count×3×H×W).
using NoiseSource = std::function<torch::Tensor(std::int64_t count)>;

/// One image's map (H×W, before the Gaussian) by `mode`, with its official post-processing:
///   gradients:   grey_saliency(∂s/∂x)
///   gbp:         min_max_scaled(|grey_saliency(guided ∂s/∂x)|)
///   smooth_grad: min_max_scaled(|mean over `samples` noisy copies of grey_saliency(∂s/∂x̃)|),
///                x̃ = x + ε·std², std = noise_scale / (max x − min x) (the official code squares
///                the std it intends); ε from `noise` (chunks of at most `chunk` copies).
/// `gradient` is the image's plain or guided gradient, already computed for the batch (unused by
/// smooth_grad). `x` is the image, 1×3×H×W.
cv::Mat mkd_saliency(const MkdNetworks& networks, MkdLocalization mode, const torch::Tensor& x,
                     const torch::Tensor& gradient, int samples, double noise_scale, const NoiseSource& noise,
                     std::int64_t chunk);

}  // namespace kdad::methods
