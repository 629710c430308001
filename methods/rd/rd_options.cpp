// The option tables of RD and MRKD and their parsing into a typed config.
#include "core/error.h"
#include "methods/common/option_checks.h"
#include "methods/rd/reverse_distillation.h"

#include <fmt/format.h>

namespace kdad::methods {

std::vector<OptionSpec> reverse_distillation_options(bool mrkd) {
  const std::string resize = mrkd ? "lanczos" : "bilinear";
  std::vector<OptionSpec> options = {
      {"backbone", OptionType::text, "wide_resnet50_2", "teacher: wide_resnet50_2 or resnet18",
       {{"paper", "wide_resnet50_2"}, {"tiny", "resnet18"}}},
      {"pretrained", OptionType::text, "imagenet", "imagenet (torchvision weights) or none (seeded random init)",
       {{"paper", "imagenet"}, {"tiny", "none"}}},
      {"weights_dir", OptionType::text, "", "folder searched first for torchvision .pth files", {}},
      {"image_size", OptionType::integer, "256", "working resolution (square)", {{"paper", "256"}, {"tiny", "128"}}},
      {"resize", OptionType::text, resize, "image resize filter (Pillow-exact)", {{"paper", resize}}},
      {"epochs", OptionType::integer, "200", "training epochs (no early stopping, last epoch kept)",
       {{"paper", "200"}, {"tiny", "30"}}},
      {"batch_size", OptionType::integer, "16", "training batch size", {{"paper", "16"}, {"tiny", "8"}}},
      {"lr", OptionType::real, "0.005", "Adam learning rate", {{"paper", "0.005"}}},
      {"beta1", OptionType::real, "0.5", "Adam beta1", {{"paper", "0.5"}}},
      {"beta2", OptionType::real, "0.999", "Adam beta2", {{"paper", "0.999"}}},
      {"sigma", OptionType::real, "4", "Gaussian smoothing of the map (SciPy semantics; 0 = none)", {{"paper", "4"}}},
  };
  if (mrkd) {
    options.push_back({"image_masking", OptionType::boolean, "true", "ILM: train on NSA-forged inputs, clean targets", {{"paper", "true"}}});
    options.push_back({"feature_masking", OptionType::boolean, "true", "FLM: masked decoder levels through generation heads",
                       {{"paper", "true"}}});
    options.push_back({"mask_ratio", OptionType::real, "0.2", "FLM: fraction of positions zeroed (also at test time)",
                       {{"paper", "0.2"}}});
  }
  return options;
}

ReverseDistillationConfig reverse_distillation_config(bool mrkd, const MethodOptions& options) {
  ReverseDistillationConfig config;
  config.method_id = mrkd ? "mrkd" : "rd";
  config.canonical_options = options.canonical();
  config.backbone = backbone_info(options.text("backbone")).kind;
  if (config.backbone == BackboneKind::vgg16) throw ConfigError("backbone=vgg16", fmt::format("{} needs a ResNet teacher", config.method_id));
  config.pretrained = parse_pretrained(options.text("pretrained"));
  config.weights_dir = options.text("weights_dir");
  config.image_size = static_cast<int>(options.integer("image_size"));
  if (config.image_size < 32 || config.image_size % 32 != 0 || config.image_size > 2048) {
    throw ConfigError(fmt::format("image_size={}", config.image_size), "must be a multiple of 32 in 32..2048");
  }
  config.filter = datasets::parse_resize_filter(options.text("resize"));
  config.epochs = integer_at_least(options, "epochs", 1);
  config.batch_size = integer_at_least(options, "batch_size", 1);
  config.lr = real_positive(options, "lr");
  config.beta1 = options.real("beta1");
  config.beta2 = options.real("beta2");
  config.sigma = real_non_negative(options, "sigma", "no smoothing");
  for (const auto& [name, beta] : {std::pair{"beta1", config.beta1}, std::pair{"beta2", config.beta2}}) {
    if (beta < 0 || beta >= 1) throw ConfigError(fmt::format("{}={}", name, beta), "must be in [0, 1)");
  }
  if (mrkd) {
    config.shorter_side_then_crop = true;  // MRKD: Resize(n, LANCZOS) then crops of n
    config.image_masking = options.boolean("image_masking");
    config.feature_masking = options.boolean("feature_masking");
    config.mask_ratio = options.real("mask_ratio");
    if (config.mask_ratio < 0 || config.mask_ratio >= 1) {
      throw ConfigError(fmt::format("mask_ratio={}", config.mask_ratio), "must be in [0, 1)");
    }
  }
  return config;
}

}  // namespace kdad::methods
