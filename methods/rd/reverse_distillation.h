// The reverse-distillation engine behind RD and MRKD: frozen teacher → one-class bottleneck →
// reverse decoder, trained with the flattened cosine loss; MRKD adds image-level masking (ILM:
// forged inputs, clean targets) and feature-level masking (FLM: masked decoder levels through
// generation heads, also at test time).
#pragma once

#include "datasets/preprocess.h"
#include "datasets/resize.h"
#include "methods/common/backbones.h"
#include "methods/common/weights.h"
#include "methods/method.h"
#include "methods/rd/networks.h"
#include "methods/registry.h"

#include <torch/types.h>

#include <memory>
#include <string>

namespace kdad::methods {

/// Everything that configures RD or MRKD (parsed from the option table by the factories).
struct ReverseDistillationConfig {
  std::string method_id;          ///< "rd" or "mrkd"
  std::string canonical_options;
  BackboneKind backbone = BackboneKind::wide_resnet50_2;
  Pretrained pretrained = Pretrained::imagenet;
  std::filesystem::path weights_dir;
  int image_size = 256;
  datasets::ResizeFilter filter = datasets::ResizeFilter::bilinear;
  bool shorter_side_then_crop = false;  ///< MRKD: Resize(n) then CenterCrop(n); RD: Resize((n, n))
  int epochs = 200;
  int batch_size = 16;
  double lr = 0.005;
  double beta1 = 0.5;
  double beta2 = 0.999;
  double sigma = 4.0;                   ///< Gaussian smoothing of the map (0 = none)
  bool image_masking = false;           ///< MRKD's ILM
  bool feature_masking = false;         ///< MRKD's FLM
  double mask_ratio = 0.2;              ///< FLM: fraction of positions zeroed
};

class ReverseDistillation final : public Method {
 public:
  explicit ReverseDistillation(ReverseDistillationConfig config);

  MethodInfo info() const override;
  void fit(const TrainingData& data, const FitContext& context) override;
  std::vector<Prediction> predict(const std::vector<Sample>& batch) override;
  void save(const std::filesystem::path& folder) const override;
  void load(const std::filesystem::path& folder, const std::string& device) override;
  /// A kdad checkpoint folder, or an official RD4AD/MRKD student file ({'bn': ..., 'decoder': ...}).
  void load_trained(const std::filesystem::path& path, const FitContext& context) override;

 private:
  void build(const torch::Device& device);
  /// Student features for teacher features. FLM masks are drawn per sample from a generator
  /// seeded by (cell seed, sample id) when `ids` is given (prediction: reproducible whatever the
  /// batch), from torch's seeded global generator otherwise (training).
  std::vector<torch::Tensor> student(const std::vector<torch::Tensor>& teacher_features, const std::vector<std::string>* ids);
  datasets::PreprocessSpec input_transform() const override { return preprocess(); }
  datasets::PreprocessSpec preprocess() const;

  ReverseDistillationConfig config_;
  torch::Device device_{torch::kCPU};
  std::shared_ptr<BackboneImpl> teacher_;
  OneClassBottleneck bottleneck_{nullptr};
  ReverseDecoder decoder_{nullptr};
  std::string weights_ = "none";
  std::uint64_t seed_ = 0;
  bool fitted_ = false;
};

/// MRKD's test-time FLM mask of one sample at a decoder level of h×w positions: 1×1×h×w float,
/// 1 = kept, 0 = dropped (with probability `ratio`), drawn from a CPU generator seeded by (cell
/// seed, sample id, h), so a sample's masks do not depend on its batch.
torch::Tensor prediction_flm_mask(std::uint64_t seed, const std::string& id, std::int64_t h, std::int64_t w, double ratio);

/// The option table of RD (`mrkd` false) or MRKD, with the paper and tiny presets.
std::vector<OptionSpec> reverse_distillation_options(bool mrkd);

/// Builds RD's (`mrkd` false) or MRKD's config from resolved options (the only place their strings
/// are parsed); out-of-range values are ConfigErrors naming the option.
ReverseDistillationConfig reverse_distillation_config(bool mrkd, const MethodOptions& options);

}  // namespace kdad::methods
