// Anomaly synthesis: shared helpers.
#include "datasets/synthesis.h"

#include <opencv2/core.hpp>

namespace kdad::datasets {

Rng synthesis_rng(std::uint64_t seed, std::string_view sample_id, std::uint64_t epoch) {
  return Rng(seed).derive(sample_id).derive(epoch);
}

void finish_with_exact_mask(SynthesisResult& result) {
  cv::Mat differs;
  cv::absdiff(result.image, result.clean, differs);
  if (differs.channels() > 1) {
    std::vector<cv::Mat> planes;
    cv::split(differs, planes);
    differs = planes[0];
    for (std::size_t c = 1; c < planes.size(); ++c) differs |= planes[c];
  }
  cv::compare(differs, 0, result.mask, cv::CMP_GT);
  result.mask /= 255;
  result.anomalous = cv::countNonZero(result.mask) > 0;
}

}  // namespace kdad::datasets
