// The heat-map gallery of a cell: a bounded set of small overlays (image | image + map + ground
// truth contour) of the images that tell most about a detector, written as PNG files.
#pragma once

#include "datasets/dataset.h"
#include "datasets/preprocess.h"
#include "metrics/scored_image.h"
#include "reports/records.h"

#include <filesystem>
#include <optional>
#include <span>
#include <vector>

namespace kdad::harness {

/// What the gallery holds. Per cell at most 3 × per_role JPEGs of (2·size)×size pixels: about
/// 0.25 MB with the defaults.
struct GallerySpec {
  int per_role = 4;  ///< images per role: false alarms, misses, best detections
  int size = 160;    ///< panel height and width in pixels
  /// Set when the scored maps are at the method's resolution: each shown map is first placed in
  /// its image's frame (map_in_image_frame) and drawn with the image's own mask, so a cropping
  /// method's map lies over the part of the image it saw.
  std::optional<datasets::PreprocessSpec> map_frame;
};

/// Picks the normal images scored highest ("false_alarm"), the anomalous ones scored lowest
/// ("missed") and highest ("detected"), reloads them from `dataset` and writes
/// <folder>/<role>_<rank>.jpg (JPEG: a tenth of a PNG of a textured image). Maps are coloured on one scale for the whole cell (the minimum and
/// maximum over all its maps), so panels of one cell compare. Returns the artifacts written.
/// `refs` and `images` list the same test images in the same order.
std::vector<reports::ArtifactRecord> write_gallery(const datasets::Dataset& dataset,
                                                   const std::vector<datasets::SampleRef>& refs,
                                                   std::span<const metrics::ScoredImage> images,
                                                   const std::filesystem::path& folder, const GallerySpec& spec);

}  // namespace kdad::harness
