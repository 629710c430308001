// Dataset fingerprints for provenance.
#include "datasets/fingerprint.h"

#include "core/error.h"
#include "core/sha256.h"

#include <fmt/format.h>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

void add_sample(Sha256& hash, const SampleRef& ref, const char* role) {
  std::error_code ec;
  const auto bytes = fs::file_size(ref.image, ec);
  if (ec) throw IoError(ref.image.string(), "cannot read file size: " + ec.message());
  const std::string mask_hash = ref.mask.empty() ? "-" : sha256_file_hex(ref.mask);
  hash.update(fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", ref.id, role, static_cast<int>(ref.label),
                          ref.defect_type, bytes, mask_hash));
}

}  // namespace

std::string fingerprint_split(const CategorySplit& split) {
  Sha256 hash;
  hash.update("kdad-dataset-fingerprint/v1\n" + split.category + "\n");
  for (const auto& ref : split.train) add_sample(hash, ref, "train");
  for (const auto& ref : split.test) add_sample(hash, ref, "test");
  // Only when there are any: the fingerprints of splits without validation images stay those of kdad 0.1.
  for (const auto& ref : split.validation) add_sample(hash, ref, "validation");
  return hash.hex_digest();
}

}  // namespace kdad::datasets
