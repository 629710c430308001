// Benchmarks of the training input pipeline: PNG decode, preprocessing, synthesis, batching.
#pragma once

#include <filesystem>
#include <memory>

namespace kdad::harness {

/// A generated 256×256 PNG dataset in a temporary folder, made on first use, removed on destruction.
class LoaderFixture {
 public:
  ~LoaderFixture();
  const std::filesystem::path& root();

 private:
  std::filesystem::path root_;
};

/// loader/png256/<recipe>/threads:N: images/s of 256×256 PNG training batches of 16 (decode,
/// Pillow-exact resize, MRKD's NSA synthesis or none, ImageNet normalisation) with 0 (inline),
/// 1 and all worker threads.
void register_loader_benchmarks(LoaderFixture& fixture);

}  // namespace kdad::harness
