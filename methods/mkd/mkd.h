// MKD, Multiresolution Knowledge Distillation (Salehi et al., CVPR 2021;
// rohban-lab/Knowledge_Distillation_AD): a bias-free cloner learns the VGG-16 source's four
// max-pool outputs on normal images (direction + λ·MSE); the image score is the same discrepancy
// over the last three, and the map is the score's input gradient through both networks.
#pragma once

#include "datasets/preprocess.h"
#include "methods/common/backbones.h"
#include "methods/common/weights.h"
#include "methods/method.h"
#include "methods/mkd/cloner.h"
#include "methods/mkd/saliency.h"
#include "methods/registry.h"

#include <torch/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace kdad::methods {

/// Everything that configures MKD (parsed from the option table by mkd_config only).
struct MkdConfig {
  std::string canonical_options;
  Pretrained pretrained = Pretrained::imagenet;
  std::filesystem::path weights_dir;
  int image_size = 128;                   ///< network input side (after the crop, if any)
  int resize_size = 0;                    ///< resize to this side, then centre-crop image_size (0 = none)
  datasets::ResizeFilter filter = datasets::ResizeFilter::bilinear;
  bool imagenet_normalize = false;        ///< MVTec and MNIST: none; CIFAR-10: ImageNet
  ClonerSize cloner = ClonerSize::small;
  bool bias = false;
  double lambda = 0.5;                    ///< MSE weight: 0.5 MVTec AD, 0.01 otherwise
  int epochs = 601;
  int batch_size = 64;
  double lr = 1e-3;
  MkdLocalization localization = MkdLocalization::gbp;
  int smoothgrad_samples = 50;
  double smoothgrad_noise = 0.05;
  double sigma = 4.0;                     ///< Gaussian smoothing of the map (SciPy semantics)
};

class Mkd final : public Method {
 public:
  explicit Mkd(MkdConfig config);

  MethodInfo info() const override;
  void fit(const TrainingData& data, const FitContext& context) override;
  std::vector<Prediction> predict(const std::vector<Sample>& batch) override;
  void save(const std::filesystem::path& folder) const override;
  void load(const std::filesystem::path& folder, const std::string& device) override;
  void load_trained(const std::filesystem::path& path, const FitContext& context) override;

  /// Loads a cloner state dict saved by the official code (`Cloner_<class>_epoch_<e>.pth`, keys
  /// features.<i>.*) so that it can be evaluated without training. Throws DataError naming the file
  /// and the first tensor that does not fit.
  void load_official_cloner(const std::filesystem::path& file);

 private:
  void build(const torch::Device& device);
  datasets::PreprocessSpec input_transform() const override { return preprocess(); }
  datasets::PreprocessSpec preprocess() const;

  MkdConfig config_;
  torch::Device device_{torch::kCPU};
  std::shared_ptr<BackboneImpl> source_;
  MkdCloner cloner_{nullptr};
  std::string weights_ = "none";
  std::uint64_t seed_ = 0;
  bool fitted_ = false;
};

/// MKD's option table: defaults = the official MVTec AD configuration; presets `paper` (MVTec AD),
/// `paper_mnist` (MNIST, Fashion-MNIST), `paper_cifar10` and `tiny`.
std::vector<OptionSpec> mkd_options();

/// Builds MKD's config from resolved options; out-of-range values are ConfigErrors naming the option.
MkdConfig mkd_config(const MethodOptions& options);

}  // namespace kdad::methods
