// Anomaly synthesis: the interface methods use to forge training anomalies, and the factory.
#pragma once

#include "core/rng.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kdad::datasets {

/// A forged sample. `mask` is exact: a pixel is 1 exactly when its value in `image` differs from
/// `clean`; every other pixel of `image` equals `clean`.
struct SynthesisResult {
  cv::Mat clean;   ///< the normal image the anomaly was put into (the input, or its rotated copy)
  cv::Mat image;   ///< 8-bit, same size and type as the input
  cv::Mat mask;    ///< CV_8UC1 0/1
  bool anomalous = false;  ///< false when the recipe returned a clean sample or changed nothing
};

/// One synthesis recipe. Implementations are immutable and safe to share between threads.
class AnomalySynthesizer {
 public:
  virtual ~AnomalySynthesizer() = default;
  /// Recipe id: "nsa", "draem" or "cutpaste".
  virtual std::string id() const = 0;
  /// Canonical settings (for provenance and cell keys).
  virtual std::string canonical_options() const = 0;
  /// Forges an anomaly into an 8-bit BGR or grey image. Deterministic in `rng`.
  virtual SynthesisResult synthesize(const cv::Mat& image, Rng& rng) const = 0;
};

/// The random stream for one (seed, sample, epoch): identical wherever and in whichever order the
/// sample is processed.
Rng synthesis_rng(std::uint64_t seed, std::string_view sample_id, std::uint64_t epoch);

/// Sets `result.mask` to the pixels where `image` differs from `clean` and `anomalous` to whether
/// any does.
void finish_with_exact_mask(SynthesisResult& result);

}  // namespace kdad::datasets
