// ADPS's option table (paper values, and guesses where the paper is silent) and its parsing.
#include "core/error.h"
#include "methods/common/option_checks.h"
#include "methods/adps/adps.h"

#include <fmt/format.h>

namespace kdad::methods {

std::vector<OptionSpec> adps_options() {
  return {
      {"backbone", OptionType::text, "wide_resnet50_2", "teacher and student architecture: wide_resnet50_2 (the paper's WRN-50, -2 assumed) or resnet18",
       {{"paper", "wide_resnet50_2"}, {"tiny", "resnet18"}}, true},
      {"pretrained", OptionType::text, "imagenet", "teacher: imagenet (torchvision weights) or none (seeded random init)",
       {{"paper", "imagenet"}, {"tiny", "none"}}},
      {"weights_dir", OptionType::text, "", "folder searched first for torchvision .pth files", {}},
      {"image_size", OptionType::integer, "256", "working resolution (square), a multiple of 32·tiles", {{"paper", "256"}, {"tiny", "128"}}},
      {"tiles", OptionType::integer, "8", "k: the student sees k×k non-overlapping tiles (image_size/k must be a multiple of 32)",
       {{"paper", "8"}, {"tiny", "2"}}},
      {"student_pretrained", OptionType::boolean, "false", "start the student from the teacher's weights instead of random ones",
       {{"paper", "false"}}, true},
      {"detach_student_in_wmb", OptionType::boolean, "false", "the segmentation loss does not reach the student through the Weight Mask Block",
       {{"paper", "false"}}, true},
      {"mask_downsample", OptionType::text, "max_pool", "synthetic mask at each feature level: max_pool (a position is anomalous if any of its pixels is) or nearest",
       {{"paper", "max_pool"}}, true},
      {"segmentation_weight", OptionType::real, "1", "λ in L = L_distill + λ·L_focal", {{"paper", "1"}}},
      {"focal_gamma", OptionType::real, "2", "focal loss exponent (DRAEM's)", {{"paper", "2"}}, true},
      {"epochs", OptionType::integer, "300", "training epochs; lr × 0.2 after 80 % and 90 % of them", {{"paper", "300"}, {"tiny", "30"}}},
      {"batch_size", OptionType::integer, "32", "training batch size", {{"paper", "32"}, {"tiny", "8"}}},
      {"lr", OptionType::real, "0.0001", "Adam learning rate (default betas, no weight decay: guesses)", {{"paper", "0.0001"}, {"tiny", "0.001"}}},
      {"texture_dir", OptionType::text, "", "DTD-like texture folder (<dir>/<class>/*.jpg) for DRAEM's anomalies; empty = the image itself", {}},
      {"sigma", OptionType::real, "4", "Gaussian before the image score's maximum (SciPy semantics)", {{"paper", "4"}}, true},
  };
}

AdpsConfig adps_config(const MethodOptions& options) {
  AdpsConfig config;
  config.canonical_options = options.canonical();
  config.backbone = backbone_info(options.text("backbone")).kind;
  if (config.backbone == BackboneKind::vgg16) throw ConfigError("backbone=vgg16", "adps needs a ResNet teacher");
  config.pretrained = parse_pretrained(options.text("pretrained"));
  config.weights_dir = options.text("weights_dir");
  config.image_size = static_cast<int>(options.integer("image_size"));
  config.tiles = static_cast<int>(options.integer("tiles"));
  if (config.tiles < 1 || config.tiles > 64) throw ConfigError(fmt::format("tiles={}", config.tiles), "must be in 1..64");
  if (config.image_size < 32 || config.image_size > 2048 || config.image_size % (32 * config.tiles) != 0) {
    throw ConfigError(fmt::format("image_size={}", config.image_size),
                      fmt::format("must be a multiple of 32·tiles = {} (each tile a multiple of 32 px) in 32..2048", 32 * config.tiles));
  }
  config.student_pretrained = options.boolean("student_pretrained");
  config.detach_student_in_wmb = options.boolean("detach_student_in_wmb");
  const std::string downsample = options.text("mask_downsample");
  if (downsample != "max_pool" && downsample != "nearest") {
    throw ConfigError(fmt::format("mask_downsample={}", downsample), "must be max_pool or nearest");
  }
  config.mask_downsample = downsample == "nearest" ? MaskDownsample::nearest : MaskDownsample::max_pool;
  config.segmentation_weight = real_non_negative(options, "segmentation_weight");
  config.focal_gamma = real_non_negative(options, "focal_gamma", "cross-entropy");
  config.epochs = integer_at_least(options, "epochs", 1);
  config.batch_size = integer_at_least(options, "batch_size", 1);
  config.lr = real_positive(options, "lr");
  config.texture_dir = options.text("texture_dir");
  config.sigma = real_non_negative(options, "sigma", "no smoothing");
  return config;
}

}  // namespace kdad::methods
