// RD's training loss and anomaly map (RD4AD main.py / test.py), shared with MRKD.
#pragma once

#include <torch/types.h>

#include <vector>

namespace kdad::methods {

/// Σ over levels of mean over the batch of 1 − cos(vec(teacher_k), vec(student_k)): one cosine per
/// sample over the whole flattened C·H·W map (RD4AD's code, not the paper's per-position form).
torch::Tensor flattened_cosine_loss(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student);

/// Σ over levels of (1 − per-position cosine over channels), each bilinearly upsampled with
/// align_corners = true to size×size: N×size×size, values in [0, 2·levels].
torch::Tensor cosine_anomaly_map(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student,
                                 std::int64_t size);

}  // namespace kdad::methods
