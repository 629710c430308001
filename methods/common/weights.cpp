// Finding and loading torchvision weight files.
#include "methods/common/weights.h"

#include "core/error.h"
#include "core/sha256.h"
#include "methods/common/state_dict.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>

namespace kdad::methods {
namespace fs = std::filesystem;

Pretrained parse_pretrained(const std::string& text) {
  if (text == "imagenet") return Pretrained::imagenet;
  if (text == "none") return Pretrained::none;
  throw ConfigError(fmt::format("pretrained={}", text), "expected imagenet or none");
}

fs::path find_weights(const BackboneInfo& info, const fs::path& weights_dir) {
  std::vector<fs::path> folders;
  if (!weights_dir.empty()) folders.push_back(weights_dir);
  if (const char* torch_home = std::getenv("TORCH_HOME")) folders.push_back(fs::path(torch_home) / "hub" / "checkpoints");
  if (const char* home = std::getenv("HOME")) folders.push_back(fs::path(home) / ".cache" / "torch" / "hub" / "checkpoints");
  std::error_code ec;
  for (const auto& folder : folders) {
    if (fs::is_regular_file(folder / info.weights_file, ec)) return folder / info.weights_file;
  }
  std::vector<std::string> searched;
  for (const auto& folder : folders) searched.push_back(folder.string());
  throw ConfigError(info.weights_file, fmt::format("pretrained {} weights not found in {}; download {} into one of these "
                                                   "folders (or set weights_dir), or use pretrained = none",
                                                   info.name, fmt::join(searched, ", "), info.url));
}

std::string load_backbone_weights(BackboneImpl& backbone, const BackboneInfo& info, const fs::path& weights_dir) {
  const fs::path file = find_weights(info, weights_dir);
  load_into(backbone, read_state_dict(file), file.string());
  return fmt::format("{} sha256:{}", file.string(), sha256_file_hex(file));
}

}  // namespace kdad::methods
