// ADPS's trainable parts (Asymmetric Distillation Post-Segmentation; no official code): the
// student run on k×k non-overlapping tiles and stitched back per level, the Weight Mask Block and
// the Post-Segmentation Module. Choices the paper leaves open are marked "guess" and are options.
#pragma once

#include "methods/common/backbones.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <vector>

namespace kdad::methods {

/// N×C×H×W → (N·k²)×C×(H/k)×(W/k): the k×k non-overlapping tiles, row-major within each image.
torch::Tensor split_tiles(const torch::Tensor& x, std::int64_t k);

/// (N·k²)×C×h×w tile features → N×C×(k·h)×(k·w), each tile back at its position.
torch::Tensor stitch_tiles(const torch::Tensor& tiles, std::int64_t k);

/// The Weight Mask Block of one level: W = cos(T, S) over channels per position (N×1×h×w) and
/// C = (1 − W) ⊙ T.
torch::Tensor weight_mask_block(const torch::Tensor& teacher, const torch::Tensor& student);

/// The Post-Segmentation Module: U-Net up-blocks from the deepest masked level (P0 = C3): each
/// 2× transposed convolution, concatenation with the next shallower C_i, then two 3×3
/// conv–BN–ReLU; after C1 (at H/4) two more up-blocks without skip reach H×W (guess), and a 3×3
/// convolution gives 2 logits (normal, anomalous).
class PostSegmentationImpl : public torch::nn::Module {
 public:
  /// `channels`: the teacher's channels per level, shallow to deep (e.g. 256, 512, 1024).
  explicit PostSegmentationImpl(const std::vector<std::int64_t>& channels);
  /// {C1, C2, C3} (shallow to deep; C1 at H/4) → N×2×H×W logits.
  torch::Tensor forward(const std::vector<torch::Tensor>& masked);

 private:
  std::vector<torch::nn::ConvTranspose2d> up_;
  std::vector<torch::nn::Sequential> blocks_;
  torch::nn::Conv2d head_{nullptr};
};
TORCH_MODULE(PostSegmentation);

}  // namespace kdad::methods
