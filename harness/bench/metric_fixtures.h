// Generated evaluation inputs for the metric benchmarks: MVTec-like test sets of a given size.
#pragma once

#include "metrics/scored_image.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace kdad::harness {

/// `images` test images of side `size`: about a third normal, the rest with 1–3 generated defects
/// (blobs, scratches, border blobs, spots) and simulated detector maps. Deterministic in `seed`.
std::vector<metrics::ScoredImage> make_metric_fixture(int images, int size, std::uint64_t seed);

/// Writes the fixture's pixels for an outside reference (sklearn): scores.f32 (float32) and
/// labels.u8 (0/1), both raw little-endian in image order.
void dump_pixels(const std::vector<metrics::ScoredImage>& images, const std::filesystem::path& folder);

}  // namespace kdad::harness
