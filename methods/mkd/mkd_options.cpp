// MKD's option table (the official configs per dataset family) and its parsing into MkdConfig.
#include "core/error.h"
#include "methods/common/option_checks.h"
#include "methods/mkd/mkd.h"

#include <fmt/format.h>

namespace kdad::methods {

std::vector<OptionSpec> mkd_options() {
  return {
      {"pretrained", OptionType::text, "imagenet", "source VGG-16: imagenet (torchvision's vgg16-397923af.pth) or none (seeded random init)",
       {{"paper", "imagenet"}, {"paper_mnist", "imagenet"}, {"paper_cifar10", "imagenet"}, {"tiny", "none"}}},
      {"weights_dir", OptionType::text, "", "folder searched first for torchvision .pth files", {}},
      {"image_size", OptionType::integer, "128", "network input side, a multiple of 32 (MVTec 128, MNIST 32, CIFAR-10 224)",
       {{"paper", "128"}, {"paper_mnist", "32"}, {"paper_cifar10", "224"}, {"tiny", "64"}}},
      {"resize_size", OptionType::integer, "0", "resize to this side first, then centre-crop image_size (0 = resize to image_size)",
       {{"paper", "0"}, {"paper_mnist", "0"}, {"paper_cifar10", "256"}}},
      {"resize", OptionType::text, "bilinear", "image resize filter (Pillow-exact; CIFAR-10 uses lanczos, Image.ANTIALIAS)",
       {{"paper", "bilinear"}, {"paper_mnist", "bilinear"}, {"paper_cifar10", "lanczos"}}},
      {"normalize", OptionType::text, "none", "input normalisation: none (MVTec, MNIST) or imagenet (CIFAR-10)",
       {{"paper", "none"}, {"paper_mnist", "none"}, {"paper_cifar10", "imagenet"}}},
      {"cloner", OptionType::text, "small", "small (official config B, the default) or equal (config A, VGG-16 widths)",
       {{"paper", "small"}}},
      {"bias", OptionType::boolean, "false", "convolution biases in the cloner (official use_bias, off)", {{"paper", "false"}}},
      {"lambda", OptionType::real, "0.5", "weight of the MSE term (official lamda: MVTec 0.5, others 0.01; 0 = direction only)",
       {{"paper", "0.5"}, {"paper_mnist", "0.01"}, {"paper_cifar10", "0.01"}}},
      {"epochs", OptionType::integer, "601", "training epochs (official: MVTec 601, MNIST 51, CIFAR-10 201; last epoch kept)",
       {{"paper", "601"}, {"paper_mnist", "51"}, {"paper_cifar10", "201"}, {"tiny", "100"}}},
      {"batch_size", OptionType::integer, "64", "training batch size", {{"paper", "64"}, {"tiny", "8"}}},
      {"lr", OptionType::real, "0.001", "Adam learning rate (default betas, no weight decay, no schedule)", {{"paper", "0.001"}}},
      {"localization", OptionType::text, "gbp",
       "map by gradients, smooth_grad or gbp (guided backprop: the official config's default; the paper's results used gradients)",
       {{"paper", "gbp"}, {"tiny", "gradients"}}},
      {"smoothgrad_samples", OptionType::integer, "50", "SmoothGrad: noisy copies per image", {{"paper", "50"}}},
      {"smoothgrad_noise", OptionType::real, "0.05", "SmoothGrad: noise level (std = (level / (max x − min x))², as the official code)",
       {{"paper", "0.05"}}},
      {"sigma", OptionType::real, "4", "Gaussian smoothing of the map (SciPy semantics; 0 = none)", {{"paper", "4"}}},
  };
}

MkdConfig mkd_config(const MethodOptions& options) {
  MkdConfig config;
  config.canonical_options = options.canonical();
  config.pretrained = parse_pretrained(options.text("pretrained"));
  config.weights_dir = options.text("weights_dir");
  config.image_size = static_cast<int>(options.integer("image_size"));
  if (config.image_size < 32 || config.image_size % 32 != 0 || config.image_size > 2048) {
    throw ConfigError(fmt::format("image_size={}", config.image_size), "must be a multiple of 32 in 32..2048");
  }
  config.resize_size = static_cast<int>(options.integer("resize_size"));
  if (config.resize_size != 0 && (config.resize_size < config.image_size || config.resize_size > 4096)) {
    throw ConfigError(fmt::format("resize_size={}", config.resize_size), "must be 0 or at least image_size (then cropped)");
  }
  config.filter = datasets::parse_resize_filter(options.text("resize"));
  const std::string normalize = options.text("normalize");
  if (normalize != "none" && normalize != "imagenet") {
    throw ConfigError(fmt::format("normalize={}", normalize), "must be none or imagenet");
  }
  config.imagenet_normalize = normalize == "imagenet";
  const std::string cloner = options.text("cloner");
  if (cloner != "small" && cloner != "equal") throw ConfigError(fmt::format("cloner={}", cloner), "must be small or equal");
  config.cloner = cloner == "equal" ? ClonerSize::equal : ClonerSize::small;
  config.bias = options.boolean("bias");
  config.lambda = real_non_negative(options, "lambda", "direction only");
  config.epochs = integer_at_least(options, "epochs", 1);
  config.batch_size = integer_at_least(options, "batch_size", 1);
  config.lr = real_positive(options, "lr");
  config.localization = parse_mkd_localization(options.text("localization"));
  config.smoothgrad_samples = integer_at_least(options, "smoothgrad_samples", 1);
  config.smoothgrad_noise = real_non_negative(options, "smoothgrad_noise");
  config.sigma = real_non_negative(options, "sigma", "no smoothing");
  return config;
}

}  // namespace kdad::methods
