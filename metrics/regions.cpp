// 8-connected labelling of ground-truth masks.
#include "metrics/regions.h"

#include <opencv2/imgproc.hpp>

namespace kdad::metrics {

void label_regions(const cv::Mat& mask, RegionLabels& out) {
  out.count = cv::connectedComponents(mask, out.labels, 8, CV_32S) - 1;
  out.areas.assign(static_cast<std::size_t>(out.count) + 1, 0);
  for (int y = 0; y < out.labels.rows; ++y) {
    const int* row = out.labels.ptr<int>(y);
    for (int x = 0; x < out.labels.cols; ++x) ++out.areas[static_cast<std::size_t>(row[x])];
  }
}

}  // namespace kdad::metrics
