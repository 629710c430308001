// The shared epoch loop and the prediction input batch.
#include "methods/common/training_loop.h"

#include "methods/common/tensors.h"

#include <algorithm>
#include <chrono>

namespace kdad::methods {

void run_training_epochs(const TrainingData& data, const FitContext& context, const datasets::SampleTransform& transform,
                         int epochs, int batch_size, const TrainingStep& step) {
  const std::int64_t steps_per_epoch = (static_cast<std::int64_t>(data.samples.size()) + batch_size - 1) / batch_size;
  std::int64_t done = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    datasets::LoaderOptions options;
    options.batch_size = batch_size;
    options.threads = std::max(1, context.threads - 1);
    options.shuffle = true;
    options.seed = context.seed;
    options.epoch = static_cast<std::uint64_t>(epoch);
    datasets::BatchLoader loader(data.dataset, data.samples, transform, options);
    while (auto batch = loader.next()) {
      const auto start = std::chrono::steady_clock::now();
      const auto images = static_cast<double>(batch->size());
      const torch::Tensor loss = step(*batch, epoch);
      ++done;
      if (context.progress) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        context.progress->report({"fit", epoch, epochs, done, steps_per_epoch * epochs, loss.item<double>(),
                                  images / std::max(seconds, 1e-9)});
      }
    }
  }
}

torch::Tensor prepare_input_batch(const std::vector<Sample>& batch, const datasets::PreprocessSpec& spec, const torch::Device& device) {
  std::vector<datasets::FloatImage> images;
  for (const auto& sample : batch) {
    images.push_back(datasets::to_float_image(datasets::prepare_image(sample.image, spec), spec.imagenet_normalize));
  }
  return stack_images(images, device);
}

}  // namespace kdad::methods
