// MKD's cloner (rohban-lab/Knowledge_Distillation_AD): a bias-free VGG-like network trained from
// scratch to reproduce the VGG-16 source at its four max-pool outputs, with the official
// state-dict names (features.<index>.*), and an optional guided-backprop ReLU for localization.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include <vector>

namespace kdad::methods {

/// The official configurations: "small" is config B (the default, 343,984 parameters without
/// bias), "equal" is config A (VGG-16 widths, 14,715,968 parameters without bias).
enum class ClonerSize { small, equal };

/// Five blocks of 3×3 convolutions (padding 1), each followed by BatchNorm + ReLU except the last
/// of a block (ReLU only), each block ending with a 2×2 max-pool. Conv weights are Xavier-uniform.
class MkdClonerImpl : public torch::nn::Module {
 public:
  MkdClonerImpl(ClonerSize size, bool bias);
  /// N×3×H×W (H, W multiples of 32) → the outputs of pools 2–5, the critical points CP1–CP4:
  /// {N×128×H/4, N×256×H/8, N×512×H/16, N×512×H/32} (config A: the same channels).
  /// With `guided`, every ReLU passes back only positive gradients where its output is positive
  /// (guided backpropagation, the official `gbp` localization); the forward values are unchanged.
  std::vector<torch::Tensor> forward(const torch::Tensor& x, bool guided = false);

 private:
  torch::nn::Sequential features_{nullptr};
  std::vector<std::size_t> taps_;  ///< indices of the pools whose outputs are CP1–CP4
};
TORCH_MODULE(MkdCloner);

/// max(x, 0) whose backward is grad·[output > 0]·[grad > 0] (guided backpropagation).
torch::Tensor guided_relu(const torch::Tensor& x);

}  // namespace kdad::methods
