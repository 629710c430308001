// Reading PyTorch .pth files (torchvision weights, official checkpoints) without Python: the zip
// format (torch ≥ 1.6) and the legacy format, into an ordered name → tensor list.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace kdad::methods {

/// Tensors by dotted name, in file order.
using StateDict = std::vector<std::pair<std::string, torch::Tensor>>;

/// Reads a file written by torch.save(state_dict) (zip or legacy format). A {"state_dict": ...}
/// wrapper is unwrapped; other nested dicts are flattened with dotted prefixes (an RD4AD
/// checkpoint {"bn": ..., "decoder": ...} gives "bn.conv1.weight", ...). Non-tensor entries are
/// skipped. Throws DataError naming the file for anything it cannot read.
StateDict read_state_dict(const std::filesystem::path& file);

/// Copies `state` into `module`'s parameters and buffers. Every name must exist on both sides
/// with the same shape (names under `ignore_prefixes` are skipped on both sides); throws
/// DataError naming the first missing, unexpected or mis-shaped tensor and the file.
void load_into(torch::nn::Module& module, const StateDict& state, const std::string& source,
               const std::vector<std::string>& ignore_prefixes = {});

}  // namespace kdad::methods
