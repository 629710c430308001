// ADPS: training on DRAEM-forged images, prediction, checkpoints, and its two losses.
#include "methods/adps/adps.h"

#include "core/error.h"
#include "datasets/loader.h"
#include "methods/common/checkpoint.h"
#include "methods/common/gaussian.h"
#include "methods/common/tensors.h"
#include "methods/common/training_loop.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <torch/nn/functional/distance.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/optim/adam.h>


namespace kdad::methods {
namespace F = torch::nn::functional;
namespace {

constexpr int kCheckpointVersion = 1;

torch::Tensor mask_at(const torch::Tensor& mask, std::int64_t h, std::int64_t w, MaskDownsample rule) {
  if (mask.size(2) == h && mask.size(3) == w) return mask;
  if (rule == MaskDownsample::max_pool) return F::adaptive_max_pool2d(mask, F::AdaptiveMaxPool2dFuncOptions({h, w}));
  return F::interpolate(mask, F::InterpolateFuncOptions().size(std::vector<std::int64_t>{h, w}).mode(torch::kNearest));
}

// The masks of a batch as N×1×H×W floats (an empty mask is all normal).
torch::Tensor stack_masks(const std::vector<cv::Mat>& masks, std::int64_t h, std::int64_t w, const torch::Device& device) {
  std::vector<torch::Tensor> out;
  for (const auto& m : masks) {
    if (m.empty()) {
      out.push_back(torch::zeros({1, 1, h, w}));
    } else {
      const cv::Mat contiguous = m.isContinuous() ? m : m.clone();
      out.push_back(torch::from_blob(contiguous.data, {1, 1, h, w}, torch::kUInt8).to(torch::kFloat));
    }
  }
  return torch::cat(out).to(device);
}

}  // namespace

torch::Tensor adps_distillation_loss(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student,
                                     const torch::Tensor& mask, MaskDownsample rule) {
  torch::Tensor total;
  for (std::size_t k = 0; k < teacher.size(); ++k) {
    const torch::Tensor cos = F::cosine_similarity(teacher[k], student[k], F::CosineSimilarityFuncOptions().dim(1)).unsqueeze(1);
    const torch::Tensor y = mask_at(mask, teacher[k].size(2), teacher[k].size(3), rule);
    const torch::Tensor level = ((1 - y) * (1 - cos) + y * cos).mean();
    total = total.defined() ? total + level : level;
  }
  return total;
}

torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& mask, double gamma) {
  constexpr double kSmooth = 1e-5;
  const torch::Tensor p = torch::softmax(logits, 1);
  const torch::Tensor target = torch::cat({1 - mask, mask}, 1).clamp(kSmooth, 1.0 - kSmooth);
  const torch::Tensor pt = (target * p).sum(1) + kSmooth;
  return (-(1 - pt).pow(gamma) * pt.log()).mean();
}

Adps::Adps(AdpsConfig config) : config_(std::move(config)) {}

MethodInfo Adps::info() const { return {"adps", config_.canonical_options, kCheckpointVersion, weights_}; }

datasets::PreprocessSpec Adps::preprocess() const {
  datasets::PreprocessSpec spec;
  spec.size = {config_.image_size, config_.image_size};
  spec.imagenet_normalize = true;  // the teacher's convention (the paper does not say)
  spec.mask_rule = datasets::MaskResize::bilinear_threshold;  // a guess (no public code): RD4AD's rule
  return spec;
}

void Adps::build(const torch::Device& device) {
  device_ = device;
  const BackboneInfo& info = backbone_info(config_.backbone);
  teacher_ = make_backbone(config_.backbone);
  student_ = make_backbone(config_.backbone);
  if (config_.pretrained == Pretrained::imagenet) {
    weights_ = load_backbone_weights(*teacher_, info, config_.weights_dir);
    if (config_.student_pretrained) load_backbone_weights(*student_, info, config_.weights_dir);
  } else {
    weights_ = "none (seeded random initialisation)";
    if (config_.student_pretrained) {
      torch::NoGradGuard no_grad;
      auto source = teacher_->named_parameters();
      for (auto& p : student_->named_parameters()) p.value().copy_(source[p.key()]);
      auto buffers = teacher_->named_buffers();
      for (auto& b : student_->named_buffers()) b.value().copy_(buffers[b.key()]);
    }
  }
  teacher_->eval();
  for (auto& p : teacher_->parameters()) p.set_requires_grad(false);
  segmentation_ = PostSegmentation(info.feature_channels);
  teacher_->to(device);
  student_->to(device);
  segmentation_->to(device);
}

Adps::Forward Adps::forward(const torch::Tensor& x) {
  Forward out;
  {
    torch::NoGradGuard no_grad;  // the teacher is frozen
    out.teacher = teacher_->features(x);
  }
  for (const auto& level : student_->features(split_tiles(x, config_.tiles))) out.student.push_back(stitch_tiles(level, config_.tiles));
  std::vector<torch::Tensor> masked;
  for (std::size_t k = 0; k < out.teacher.size(); ++k) {
    masked.push_back(weight_mask_block(out.teacher[k], config_.detach_student_in_wmb ? out.student[k].detach() : out.student[k]));
  }
  out.logits = segmentation_->forward(masked);
  return out;
}

void Adps::fit(const TrainingData& data, const FitContext& context) {
  if (data.samples.empty()) throw DataError(data.category, "no training images");
  seed_ = context.seed;
  build(parse_device(context.device));
  student_->train();
  segmentation_->train();
  std::vector<torch::Tensor> parameters = student_->parameters();
  for (auto& p : segmentation_->parameters()) parameters.push_back(p);
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(config_.lr));
  std::shared_ptr<const datasets::AnomalySynthesizer> synthesizer = context.synthesizer;
  if (!synthesizer) {
    datasets::DraemSettings settings;
    settings.texture_folder = config_.texture_dir;
    synthesizer = std::make_shared<datasets::DraemSynthesizer>(settings);
  }
  const auto transform = datasets::make_standard_transform(preprocess(), synthesizer);
  // DRAEM's schedule, which the paper's "×0.2 at epochs 240 and 270 of 300" is: 80 % and 90 %.
  const int first_drop = static_cast<int>(0.8 * config_.epochs), second_drop = static_cast<int>(0.9 * config_.epochs);
  run_training_epochs(data, context, transform, config_.epochs, config_.batch_size,
                      [&](std::vector<datasets::PreparedSample>& batch, int epoch) {
                        const double lr = config_.lr * (epoch > first_drop ? 0.2 : 1.0) * (epoch > second_drop ? 0.2 : 1.0);
                        for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
                        std::vector<datasets::FloatImage> inputs;
                        std::vector<cv::Mat> masks;
                        for (auto& sample : batch) {
                          inputs.push_back(std::move(sample.image));
                          masks.push_back(sample.anomalous ? sample.mask : cv::Mat());
                        }
                        const torch::Tensor x = stack_images(inputs, device_);
                        const torch::Tensor mask = stack_masks(masks, x.size(2), x.size(3), device_);
                        const Forward f = forward(x);
                        const torch::Tensor loss = adps_distillation_loss(f.teacher, f.student, mask, config_.mask_downsample) +
                                                   config_.segmentation_weight * focal_loss(f.logits, mask, config_.focal_gamma);
                        optimizer.zero_grad();
                        loss.backward();
                        optimizer.step();
                        return loss;
                      });
  fitted_ = true;
}

std::vector<Prediction> Adps::predict(const std::vector<Sample>& batch) {
  if (!fitted_) throw InternalError("adps", "predict before fit or load");
  student_->eval();
  segmentation_->eval();
  const torch::Tensor input = prepare_input_batch(batch, preprocess(), device_);
  torch::InferenceMode inference;
  const torch::Tensor probability = torch::softmax(forward(input).logits, 1).select(1, 1).cpu();
  std::vector<Prediction> out;
  for (std::int64_t i = 0; i < probability.size(0); ++i) {
    Prediction p;
    p.anomaly_map = tensor_to_mat(probability[i]);  // the anomaly-channel probability itself
    double max_value = 0;
    cv::minMaxLoc(scipy_gaussian_filter(p.anomaly_map, config_.sigma), nullptr, &max_value);
    p.score = static_cast<float>(max_value);  // Sc = max(G(M))
    out.push_back(std::move(p));
  }
  return out;
}

void Adps::save(const std::filesystem::path& folder) const {
  if (!fitted_) throw InternalError("adps", "save before fit");
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules = {{"student", student_}, {"segmentation", segmentation_.ptr()}};
  if (config_.pretrained == Pretrained::none) modules["teacher"] = teacher_;
  write_checkpoint(folder, {"adps", kCheckpointVersion, config_.canonical_options, seed_, weights_}, modules);
}

void Adps::load(const std::filesystem::path& folder, const std::string& device) {
  device_ = parse_device(device);
  build(device_);
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules = {{"student", student_}, {"segmentation", segmentation_.ptr()}};
  if (config_.pretrained == Pretrained::none) modules["teacher"] = teacher_;
  const CheckpointHeader header = read_checkpoint(folder, {"adps", kCheckpointVersion, config_.canonical_options, 0, ""}, modules);
  seed_ = header.seed;
  teacher_->to(device_);
  student_->to(device_);
  segmentation_->to(device_);
  fitted_ = true;
}

}  // namespace kdad::methods
