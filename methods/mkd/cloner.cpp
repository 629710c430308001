// MKD's cloner network and the guided-backprop ReLU.
#include "methods/mkd/cloner.h"

#include <torch/autograd.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

namespace kdad::methods {
namespace {

// The official cfg lists: channel counts, 0 = max-pool.
std::vector<int> plan(ClonerSize size) {
  if (size == ClonerSize::equal) return {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
  return {16, 16, 0, 16, 128, 0, 16, 16, 256, 0, 16, 16, 512, 0, 16, 16, 512, 0};
}

struct GuidedRelu : public torch::autograd::Function<GuidedRelu> {
  static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x) {
    torch::Tensor out = x.clamp_min(0);
    context->save_for_backward({out});
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grad) {
    const torch::Tensor out = context->get_saved_variables()[0];
    return {grad[0].clamp_min(0) * (out > 0).to(grad[0].scalar_type())};
  }
};

}  // namespace

torch::Tensor guided_relu(const torch::Tensor& x) { return GuidedRelu::apply(x); }

MkdClonerImpl::MkdClonerImpl(ClonerSize size, bool bias) {
  features_ = torch::nn::Sequential();
  const std::vector<int> cfg = plan(size);
  std::int64_t in = 3;
  int pools = 0;
  for (std::size_t i = 0; i < cfg.size(); ++i) {
    if (cfg[i] == 0) {
      features_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
      if (++pools >= 2) taps_.push_back(features_->size() - 1);
      continue;
    }
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, cfg[i], 3).padding(1).bias(bias));
    {
      torch::NoGradGuard no_grad;
      torch::nn::init::xavier_uniform_(conv->weight);
    }
    features_->push_back(conv);
    if (cfg[i + 1] != 0) features_->push_back(torch::nn::BatchNorm2d(cfg[i]));
    features_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
    in = cfg[i];
  }
  register_module("features", features_);
}

std::vector<torch::Tensor> MkdClonerImpl::forward(const torch::Tensor& x, bool guided) {
  std::vector<torch::Tensor> taps;
  torch::Tensor y = x;
  std::size_t index = 0, next_tap = 0;
  for (auto& layer : *features_) {
    // ReLUs are applied here, not by their modules, so that GBP can swap in its backward.
    if (layer.ptr()->as<torch::nn::ReLU>()) {
      y = guided ? guided_relu(y) : torch::relu(y);
    } else {
      y = layer.forward(y);
    }
    if (next_tap < taps_.size() && taps_[next_tap] == index) {
      taps.push_back(y);
      ++next_tap;
    }
    ++index;
  }
  return taps;
}

}  // namespace kdad::methods
