// Versioned checkpoints: a header (method id, format version, options, seed) and one file per
// module, refused with a clear error when they do not match the method loading them.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace kdad::methods {

struct CheckpointHeader {
  std::string method_id;
  int format_version = 1;
  std::string options;  ///< canonical option string
  std::uint64_t seed = 0;
  std::string weights;  ///< teacher weights provenance
};

/// Writes <folder>/checkpoint.json and <folder>/<name>.pt for every module. The files are written
/// to <folder>.partial and swapped in at the end, so a failed save (IoError naming the file) leaves
/// an existing checkpoint in `folder` whole.
void write_checkpoint(const std::filesystem::path& folder, const CheckpointHeader& header,
                      const std::map<std::string, std::shared_ptr<torch::nn::Module>>& modules);

/// Reads a checkpoint written by write_checkpoint into `modules`. Throws ConfigError naming the
/// header file when the method id, format version or options differ from `expected`, and
/// DataError naming the file when the header or a module file is missing or unreadable. Returns
/// the stored header.
CheckpointHeader read_checkpoint(const std::filesystem::path& folder, const CheckpointHeader& expected,
                                 const std::map<std::string, std::shared_ptr<torch::nn::Module>>& modules);

}  // namespace kdad::methods
