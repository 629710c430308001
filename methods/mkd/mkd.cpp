// MKD: training the cloner, detection scores and gradient maps, checkpoints.
#include "methods/mkd/mkd.h"

#include "core/error.h"
#include "core/rng.h"
#include "datasets/loader.h"
#include "methods/common/checkpoint.h"
#include "methods/common/gaussian.h"
#include "methods/common/state_dict.h"
#include "methods/common/tensors.h"
#include "methods/common/training_loop.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <torch/optim/adam.h>


namespace kdad::methods {
namespace {

constexpr int kCheckpointVersion = 1;
// SmoothGrad's noisy copies go through the networks in chunks of this many (memory, not results).
constexpr std::int64_t kSmoothGradChunk = 16;

}  // namespace

Mkd::Mkd(MkdConfig config) : config_(std::move(config)) {}

MethodInfo Mkd::info() const { return {"mkd", config_.canonical_options, kCheckpointVersion, weights_}; }

datasets::PreprocessSpec Mkd::preprocess() const {
  datasets::PreprocessSpec spec;
  spec.filter = config_.filter;
  spec.imagenet_normalize = config_.imagenet_normalize;
  spec.mask_rule = datasets::MaskResize::bilinear_threshold;
  if (config_.resize_size > 0) {
    spec.size = {config_.resize_size, config_.resize_size};
    spec.crop = {config_.image_size, config_.image_size};
  } else {
    spec.size = {config_.image_size, config_.image_size};
  }
  return spec;
}

void Mkd::build(const torch::Device& device) {
  device_ = device;
  source_ = make_backbone(BackboneKind::vgg16);
  if (config_.pretrained == Pretrained::imagenet) {
    weights_ = load_backbone_weights(*source_, backbone_info(BackboneKind::vgg16), config_.weights_dir);
  } else {
    weights_ = "none (seeded random initialisation)";
  }
  source_->eval();
  for (auto& p : source_->parameters()) p.set_requires_grad(false);
  cloner_ = MkdCloner(config_.cloner, config_.bias);
  source_->to(device);
  cloner_->to(device);
}

void Mkd::fit(const TrainingData& data, const FitContext& context) {
  if (data.samples.empty()) throw DataError(data.category, "no training images");
  seed_ = context.seed;
  build(parse_device(context.device));
  cloner_->train();
  torch::optim::Adam optimizer(cloner_->parameters(), torch::optim::AdamOptions(config_.lr));
  const auto transform = datasets::make_standard_transform(preprocess(), nullptr);
  run_training_epochs(data, context, transform, config_.epochs, config_.batch_size,
                      [&](std::vector<datasets::PreparedSample>& batch, int) {
                        std::vector<datasets::FloatImage> inputs;
                        for (auto& sample : batch) inputs.push_back(std::move(sample.image));
                        const torch::Tensor x = stack_images(inputs, device_);
                        std::vector<torch::Tensor> target;
                        {
                          torch::NoGradGuard no_grad;  // the source is fixed
                          target = source_->features(x);
                        }
                        const torch::Tensor loss = mkd_discrepancy(cloner_->forward(x), target, config_.lambda, 0).mean();
                        optimizer.zero_grad();
                        loss.backward();
                        optimizer.step();
                        return loss;
                      });
  fitted_ = true;
}

std::vector<Prediction> Mkd::predict(const std::vector<Sample>& batch) {
  if (!fitted_) throw InternalError("mkd", "predict before fit or load");
  source_->eval();
  cloner_->eval();
  const torch::Tensor x = prepare_input_batch(batch, preprocess(), device_);
  const MkdNetworks networks{*source_, *cloner_, config_.lambda};
  torch::Tensor scores, gradients;
  if (config_.localization == MkdLocalization::smooth_grad) {
    torch::NoGradGuard no_grad;  // SmoothGrad differentiates the noisy copies only
    scores = mkd_discrepancy(cloner_->forward(x), source_->features(x), config_.lambda, 1);
  } else {
    // One image per backward pass, as the official test loop does: batched, on an AVX-512 CPU
    // (LibTorch 1.13) the first image of a batch got a map 0.5 % away from its map alone, so maps
    // depended on predict_batch.
    std::vector<torch::Tensor> per_image_gradients, per_image_scores;
    for (std::int64_t i = 0; i < x.size(0); ++i) {
      torch::Tensor score;
      per_image_gradients.push_back(score_gradients(networks, x.narrow(0, i, 1), config_.localization == MkdLocalization::gbp, &score));
      per_image_scores.push_back(score);
    }
    gradients = torch::cat(per_image_gradients);
    scores = torch::cat(per_image_scores);
  }
  scores = scores.cpu();
  std::vector<Prediction> out;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto index = static_cast<std::int64_t>(i);
    // SmoothGrad's noise comes from (cell seed, image id): the same whatever the batch.
    at::Generator generator = at::detail::createCPUGenerator(Rng(seed_).derive(batch[i].id).derive("smooth_grad").next_u64());
    const NoiseSource noise = [&](std::int64_t count) {
      return torch::randn({count, x.size(1), x.size(2), x.size(3)}, generator, torch::kFloat);
    };
    const cv::Mat saliency = mkd_saliency(networks, config_.localization, x.narrow(0, index, 1),
                                          gradients.defined() ? gradients[index] : torch::Tensor(), config_.smoothgrad_samples,
                                          config_.smoothgrad_noise, noise, kSmoothGradChunk);
    Prediction p;
    p.anomaly_map = scipy_gaussian_filter(saliency, config_.sigma);
    p.score = scores[index].item<float>();
    out.push_back(std::move(p));
  }
  return out;
}

void Mkd::save(const std::filesystem::path& folder) const {
  if (!fitted_) throw InternalError("mkd", "save before fit");
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules = {{"cloner", cloner_.ptr()}};
  if (config_.pretrained == Pretrained::none) modules["source"] = source_;  // random sources are not re-creatable
  write_checkpoint(folder, {"mkd", kCheckpointVersion, config_.canonical_options, seed_, weights_}, modules);
}

void Mkd::load(const std::filesystem::path& folder, const std::string& device) {
  device_ = parse_device(device);
  build(device_);
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules = {{"cloner", cloner_.ptr()}};
  if (config_.pretrained == Pretrained::none) modules["source"] = source_;
  const CheckpointHeader header = read_checkpoint(folder, {"mkd", kCheckpointVersion, config_.canonical_options, 0, ""}, modules);
  seed_ = header.seed;
  source_->to(device_);
  cloner_->to(device_);
  fitted_ = true;
}

void Mkd::load_trained(const std::filesystem::path& path, const FitContext& context) {
  device_ = parse_device(context.device);
  if (std::filesystem::is_directory(path)) return load(path, context.device);
  load_official_cloner(path);
  seed_ = context.seed;
}

void Mkd::load_official_cloner(const std::filesystem::path& file) {
  build(device_);
  load_into(*cloner_, read_state_dict(file), file.string());
  cloner_->to(device_);
  fitted_ = true;
}

}  // namespace kdad::methods
