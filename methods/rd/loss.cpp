// RD's training loss and anomaly map.
#include "methods/rd/loss.h"

#include <torch/nn/functional/distance.h>
#include <torch/nn/functional/upsampling.h>

namespace kdad::methods {
namespace F = torch::nn::functional;

torch::Tensor flattened_cosine_loss(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student) {
  torch::Tensor loss = torch::zeros({}, teacher.front().options());
  for (std::size_t k = 0; k < teacher.size(); ++k) {
    const auto n = teacher[k].size(0);
    const torch::Tensor cos = F::cosine_similarity(teacher[k].reshape({n, -1}), student[k].reshape({n, -1}),
                                                   F::CosineSimilarityFuncOptions().dim(1));
    loss = loss + (1 - cos).mean();
  }
  return loss;
}

torch::Tensor cosine_anomaly_map(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student,
                                 std::int64_t size) {
  torch::Tensor map;
  for (std::size_t k = 0; k < teacher.size(); ++k) {
    const torch::Tensor distance = 1 - F::cosine_similarity(teacher[k], student[k], F::CosineSimilarityFuncOptions().dim(1));
    const torch::Tensor up = F::interpolate(distance.unsqueeze(1), F::InterpolateFuncOptions()
                                                                       .size(std::vector<std::int64_t>{size, size})
                                                                       .mode(torch::kBilinear)
                                                                       .align_corners(true));
    map = map.defined() ? map + up : up;
  }
  return map.squeeze(1);
}

}  // namespace kdad::methods
