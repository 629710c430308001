// Dataset fingerprints: a cheap, content-aware identity of one category's files for provenance.
#pragma once

#include "datasets/dataset.h"

#include <string>

namespace kdad::datasets {

/// SHA-256 (hex) over every sample of the split in order: its id, role (train/test), label, defect
/// type and image byte size, and the SHA-256 of its mask file's bytes. Masks decide the metric
/// values, so they are hashed in full; images are identified by path and size to stay fast on
/// multi-GB datasets. Throws IoError naming an unreadable file.
std::string fingerprint_split(const CategorySplit& split);

}  // namespace kdad::datasets
