// The epoch loop every method trains with: seeded shuffled batches from the loader, one step per
// batch, progress (loss and images per second) reported to the harness.
#pragma once

#include "datasets/loader.h"
#include "methods/method.h"

#include <torch/types.h>

#include <functional>
#include <vector>

namespace kdad::methods {

/// One training step on a prepared batch; returns the loss (a scalar tensor).
using TrainingStep = std::function<torch::Tensor(std::vector<datasets::PreparedSample>& batch, int epoch)>;

/// Runs epochs 1..`epochs` over `data.samples` in batches of `batch_size`, shuffled by (seed,
/// epoch) and prepared by `transform` on the loader's threads, calling `step` for each batch.
void run_training_epochs(const TrainingData& data, const FitContext& context, const datasets::SampleTransform& transform,
                         int epochs, int batch_size, const TrainingStep& step);

/// The network input of a batch of raw samples: each resized/cropped by `spec` and stacked,
/// N×3×H×W on `device`.
torch::Tensor prepare_input_batch(const std::vector<Sample>& batch, const datasets::PreprocessSpec& spec, const torch::Device& device);

}  // namespace kdad::methods
