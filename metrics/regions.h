// Ground-truth regions: 8-connected components of one mask, with their areas.
#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <vector>

namespace kdad::metrics {

/// Labels of one mask: `labels` is CV_32SC1 with 0 = background and 1..count = regions;
/// `areas[r]` is the pixel count of region r (areas[0] = background pixels).
struct RegionLabels {
  cv::Mat labels;
  int count = 0;
  std::vector<std::uint32_t> areas;
};

/// Labels the non-zero pixels of a CV_8UC1 mask into 8-connected regions (the connectivity of
/// every reference implementation: scipy's 3×3 structure, skimage's full connectivity).
/// `out` is reused between calls to avoid reallocating the label image.
void label_regions(const cv::Mat& mask, RegionLabels& out);

}  // namespace kdad::metrics
