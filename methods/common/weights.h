// Finding and loading torchvision weight files for a backbone (weights dir, then the torch hub
// cache), with a clear message naming the missing file and where to get it.
#pragma once

#include "methods/common/backbones.h"

#include <filesystem>
#include <string>

namespace kdad::methods {

/// Where pretrained weights come from: "imagenet" (torchvision's file) or "none" (seeded random
/// initialisation, recorded as such in provenance).
enum class Pretrained { imagenet, none };

/// Parses "imagenet" or "none"; throws ConfigError otherwise.
Pretrained parse_pretrained(const std::string& text);

/// The weights file of `info`: `weights_dir`/<file> when a weights dir is given, else
/// $TORCH_HOME/hub/checkpoints/<file> or ~/.cache/torch/hub/checkpoints/<file>. Throws ConfigError
/// naming the file, the folders searched and the download URL when it is nowhere.
std::filesystem::path find_weights(const BackboneInfo& info, const std::filesystem::path& weights_dir);

/// Loads torchvision's weights into `backbone` (strict: every tensor, every shape). Returns
/// "<file> sha256:<digest>" for provenance.
std::string load_backbone_weights(BackboneImpl& backbone, const BackboneInfo& info, const std::filesystem::path& weights_dir);

}  // namespace kdad::methods
