// ADPS, Asymmetric Distillation Post-Segmentation (TNNLS; no official code, so this is the first
// public implementation): a frozen teacher on the whole image, a student on k×k tiles stitched
// back per level, the Weight Mask Block, and a segmentation module trained with focal loss on
// DRAEM-style synthetic anomalies plus a mask-aware distillation loss. Every choice the paper
// leaves open is an option whose default is marked as a guess (`kdad methods`).
#pragma once

#include "datasets/draem_synthesis.h"
#include "datasets/preprocess.h"
#include "methods/adps/networks.h"
#include "methods/common/backbones.h"
#include "methods/common/weights.h"
#include "methods/method.h"
#include "methods/registry.h"

#include <torch/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace kdad::methods {

/// How a synthetic mask is brought to a feature level's size for the distillation loss.
enum class MaskDownsample { max_pool, nearest };

struct AdpsConfig {
  std::string canonical_options;
  BackboneKind backbone = BackboneKind::wide_resnet50_2;
  Pretrained pretrained = Pretrained::imagenet;
  std::filesystem::path weights_dir;
  int image_size = 256;
  int tiles = 8;                        ///< k: the student sees k×k tiles of image_size/k pixels
  bool student_pretrained = false;      ///< start the student from the teacher's weights (guess: no)
  bool detach_student_in_wmb = false;   ///< stop the segmentation loss from reaching the student
  MaskDownsample mask_downsample = MaskDownsample::max_pool;
  double segmentation_weight = 1.0;     ///< λ in L = L_d + λ·L_s
  double focal_gamma = 2.0;
  int epochs = 300;
  int batch_size = 32;
  double lr = 1e-4;
  std::filesystem::path texture_dir;    ///< DTD-like texture folder for DRAEM; empty = the image itself
  double sigma = 4.0;                   ///< Gaussian before the image score's maximum
};

class Adps final : public Method {
 public:
  explicit Adps(AdpsConfig config);

  MethodInfo info() const override;
  void fit(const TrainingData& data, const FitContext& context) override;
  std::vector<Prediction> predict(const std::vector<Sample>& batch) override;
  void save(const std::filesystem::path& folder) const override;
  void load(const std::filesystem::path& folder, const std::string& device) override;

  /// Teacher features, stitched student features and the segmentation logits (N×2×H×W) of a batch.
  struct Forward {
    std::vector<torch::Tensor> teacher, student;
    torch::Tensor logits;
  };
  Forward forward(const torch::Tensor& x);

 private:
  void build(const torch::Device& device);
  datasets::PreprocessSpec input_transform() const override { return preprocess(); }
  datasets::PreprocessSpec preprocess() const;

  AdpsConfig config_;
  torch::Device device_{torch::kCPU};
  std::shared_ptr<BackboneImpl> teacher_, student_;
  PostSegmentation segmentation_{nullptr};
  std::string weights_ = "none";
  std::uint64_t seed_ = 0;
  bool fitted_ = false;
};

/// Σ over levels of the mean over positions of (1 − Y)·(1 − cos(T, S)) + Y·cos(T, S), with the
/// mask Y (N×1×H×W, 0/1) brought to each level's size by `rule`.
torch::Tensor adps_distillation_loss(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student,
                                     const torch::Tensor& mask, MaskDownsample rule);

/// DRAEM's focal loss on softmax probabilities: targets one-hot smoothed to [1e-5, 1 − 1e-5],
/// pt = Σ target·p + 1e-5, loss = mean of −(1 − pt)^γ·log(pt). `logits` N×2×H×W, `mask` N×1×H×W.
torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& mask, double gamma);

/// ADPS's option table (`guessed` marks the defaults the paper does not state) with presets
/// `paper` and `tiny`.
std::vector<OptionSpec> adps_options();

/// Builds ADPS's config from resolved options; out-of-range values are ConfigErrors naming the option.
AdpsConfig adps_config(const MethodOptions& options);

}  // namespace kdad::methods
