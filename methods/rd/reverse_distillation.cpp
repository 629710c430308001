// The reverse-distillation engine behind RD and MRKD.
#include "methods/rd/reverse_distillation.h"

#include "core/error.h"
#include "core/rng.h"
#include "datasets/loader.h"
#include "datasets/nsa_synthesis.h"
#include "methods/common/checkpoint.h"
#include "methods/common/gaussian.h"
#include "methods/common/state_dict.h"
#include "methods/common/tensors.h"
#include "methods/common/training_loop.h"
#include "methods/rd/loss.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <torch/optim/adam.h>


namespace kdad::methods {
namespace {

constexpr int kCheckpointVersion = 1;

std::vector<torch::Tensor> parameters_of(torch::nn::Module& a, torch::nn::Module& b) {
  std::vector<torch::Tensor> out = a.parameters();
  for (auto& p : b.parameters()) out.push_back(p);
  return out;
}

// Dropping the gradients instead of zeroing them lets backward hand over its fresh gradient tensors
// instead of adding them to zeros: the same values, one pass over every parameter less per step.
// Layers that backward never reaches (the unused ones of the official networks) have no gradient
// either way, so Adam updates exactly the same parameters.
void drop_gradients(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) p.mutable_grad().reset();
  }
}

}  // namespace

ReverseDistillation::ReverseDistillation(ReverseDistillationConfig config) : config_(std::move(config)) {}

MethodInfo ReverseDistillation::info() const {
  return {config_.method_id, config_.canonical_options, kCheckpointVersion, weights_};
}

datasets::PreprocessSpec ReverseDistillation::preprocess() const {
  datasets::PreprocessSpec spec;
  spec.filter = config_.filter;
  spec.imagenet_normalize = true;
  if (config_.shorter_side_then_crop) {
    spec.size_rule = datasets::PreprocessSpec::SizeRule::shorter_side;
    spec.shorter = config_.image_size;
    spec.crop = {config_.image_size, config_.image_size};
    spec.mask_rule = datasets::MaskResize::nearest;  // MRKD's mvtec.py: Resize(n, NEAREST)
  } else {
    spec.size = {config_.image_size, config_.image_size};
    spec.mask_rule = datasets::MaskResize::bilinear_threshold;  // RD4AD's dataset.py: bilinear, then > 0.5
  }
  return spec;
}

void ReverseDistillation::build(const torch::Device& device) {
  device_ = device;
  teacher_ = make_backbone(config_.backbone);
  if (config_.pretrained == Pretrained::imagenet) {
    weights_ = load_backbone_weights(*teacher_, backbone_info(config_.backbone), config_.weights_dir);
  } else {
    weights_ = "none (seeded random initialisation)";
  }
  teacher_->eval();
  for (auto& p : teacher_->parameters()) p.set_requires_grad(false);
  bottleneck_ = OneClassBottleneck(config_.backbone);
  decoder_ = ReverseDecoder(config_.backbone, config_.feature_masking);
  teacher_->to(device);
  bottleneck_->to(device);
  decoder_->to(device);
}

torch::Tensor prediction_flm_mask(std::uint64_t seed, const std::string& id, std::int64_t h, std::int64_t w, double ratio) {
  // One generator per (seed, sample, level size): the same masks whatever the batch.
  at::Generator generator = at::detail::createCPUGenerator(Rng(seed).derive(id).derive(static_cast<std::uint64_t>(h)).next_u64());
  return (torch::rand({1, 1, h, w}, generator, torch::kFloat) <= 1.0 - ratio).to(torch::kFloat);
}

std::vector<torch::Tensor> ReverseDistillation::student(const std::vector<torch::Tensor>& features,
                                                        const std::vector<std::string>* ids) {
  std::vector<torch::Tensor> levels = decoder_->forward(bottleneck_->forward(features));
  if (!config_.feature_masking) return levels;
  std::vector<torch::Tensor> masks;
  for (const auto& level : levels) {
    const auto n = level.size(0), h = level.size(2), w = level.size(3);
    if (ids) {
      std::vector<torch::Tensor> per_sample;
      for (const auto& id : *ids) per_sample.push_back(prediction_flm_mask(seed_, id, h, w, config_.mask_ratio));
      masks.push_back(torch::cat(per_sample).to(device_, level.scalar_type()));
    } else {
      const torch::Tensor uniform = torch::rand({n, 1, h, w}, level.options());
      masks.push_back((uniform <= 1.0 - config_.mask_ratio).to(level.dtype()));
    }
  }
  return decoder_->generate(levels, masks);
}

void ReverseDistillation::fit(const TrainingData& data, const FitContext& context) {
  if (data.samples.empty()) throw DataError(data.category, "no training images");
  seed_ = context.seed;
  build(parse_device(context.device));
  bottleneck_->train();
  decoder_->train();
  torch::optim::Adam optimizer(parameters_of(*bottleneck_, *decoder_),
                               torch::optim::AdamOptions(config_.lr).betas({config_.beta1, config_.beta2}));

  std::shared_ptr<const datasets::AnomalySynthesizer> synthesizer;
  if (config_.image_masking) {
    synthesizer = context.synthesizer;
    if (!synthesizer) {
      // MRKD's table covers MVTec AD; other categories use the texture settings (documented).
      synthesizer = std::make_shared<datasets::NsaSynthesizer>(datasets::mrkd_nsa_settings(data.category).value_or(datasets::NsaSettings{}));
    }
  }
  const auto transform = datasets::make_standard_transform(preprocess(), synthesizer);
  run_training_epochs(data, context, transform, config_.epochs, config_.batch_size,
                      [&](std::vector<datasets::PreparedSample>& batch, int) {
                        std::vector<datasets::FloatImage> inputs, targets;
                        for (auto& sample : batch) {
                          inputs.push_back(std::move(sample.image));
                          if (config_.image_masking) targets.push_back(std::move(sample.clean));
                        }
                        const torch::Tensor input = stack_images(inputs, device_);
                        std::vector<torch::Tensor> target_features, input_features;
                        {
                          torch::NoGradGuard no_grad;  // the teacher is frozen: no graph through it
                          input_features = teacher_->features(input);
                          target_features =
                              config_.image_masking ? teacher_->features(stack_images(targets, device_)) : input_features;
                        }
                        const torch::Tensor loss = flattened_cosine_loss(target_features, student(input_features, nullptr));
                        drop_gradients(optimizer);
                        loss.backward();
                        optimizer.step();
                        return loss;
                      });
  fitted_ = true;
}

std::vector<Prediction> ReverseDistillation::predict(const std::vector<Sample>& batch) {
  if (!fitted_) throw InternalError(config_.method_id, "predict before fit or load");
  teacher_->eval();
  bottleneck_->eval();
  decoder_->eval();
  std::vector<std::string> ids;
  for (const auto& sample : batch) ids.push_back(sample.id);
  const torch::Tensor input = prepare_input_batch(batch, preprocess(), device_);
  torch::InferenceMode inference;
  const std::vector<torch::Tensor> features = teacher_->features(input);
  const torch::Tensor maps = cosine_anomaly_map(features, student(features, &ids), config_.image_size).cpu();
  std::vector<Prediction> out;
  for (std::int64_t i = 0; i < maps.size(0); ++i) {
    Prediction p;
    p.anomaly_map = scipy_gaussian_filter(tensor_to_mat(maps[i]), config_.sigma);
    double max_value = 0;
    cv::minMaxLoc(p.anomaly_map, nullptr, &max_value);
    p.score = static_cast<float>(max_value);
    out.push_back(std::move(p));
  }
  return out;
}

void ReverseDistillation::save(const std::filesystem::path& folder) const {
  if (!fitted_) throw InternalError(config_.method_id, "save before fit");
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules = {{"bn", bottleneck_.ptr()}, {"decoder", decoder_.ptr()}};
  if (config_.pretrained == Pretrained::none) modules["teacher"] = teacher_;  // random teachers are not re-creatable
  write_checkpoint(folder, {config_.method_id, kCheckpointVersion, config_.canonical_options, seed_, weights_}, modules);
}

void ReverseDistillation::load(const std::filesystem::path& folder, const std::string& device) {
  device_ = parse_device(device);
  build(device_);
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules = {{"bn", bottleneck_.ptr()}, {"decoder", decoder_.ptr()}};
  if (config_.pretrained == Pretrained::none) modules["teacher"] = teacher_;
  const CheckpointHeader header = read_checkpoint(folder, {config_.method_id, kCheckpointVersion, config_.canonical_options, 0, ""}, modules);
  seed_ = header.seed;
  teacher_->to(device_);
  bottleneck_->to(device_);
  decoder_->to(device_);
  fitted_ = true;
}

}  // namespace kdad::methods

namespace kdad::methods {

void ReverseDistillation::load_trained(const std::filesystem::path& path, const FitContext& context) {
  device_ = parse_device(context.device);
  if (std::filesystem::is_directory(path)) return load(path, context.device);
  seed_ = context.seed;
  build(device_);
  const StateDict state = read_state_dict(path);
  // The official files nest the two students' state dicts under "bn" and "decoder".
  StateDict bottleneck, decoder;
  for (const auto& [name, tensor] : state) {
    if (name.rfind("bn.", 0) == 0) bottleneck.emplace_back(name.substr(3), tensor);
    else if (name.rfind("decoder.", 0) == 0) decoder.emplace_back(name.substr(8), tensor);
  }
  if (bottleneck.empty() || decoder.empty()) {
    throw DataError(path.string(), "not an RD4AD/MRKD student checkpoint: it needs 'bn' and 'decoder' state dicts");
  }
  load_into(*bottleneck_, bottleneck, path.string() + " (bn)");
  load_into(*decoder_, decoder, path.string() + " (decoder)");
  bottleneck_->to(device_);
  decoder_->to(device_);
  fitted_ = true;
}

}  // namespace kdad::methods
