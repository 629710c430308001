// Simulated detector output: anomaly maps of controllable quality for exercising the evaluation
// (metrics, `kdad eval`, benchmarks). Not a method; it reads the ground truth.
#pragma once

#include "core/rng.h"
#include "datasets/dataset.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kdad::datasets {

struct SimulatedMapsSpec {
  double strength = 0.8;          ///< response added on a detected region (noise std is 0.3)
  double miss_rate = 0.1;         ///< probability that a region gets no response
  double false_alarm_rate = 0.15; ///< probability of one spurious blob per image
  std::uint64_t seed = 0;
};

/// A map for one mask (CV_8UC1 0/1, may be all zero): smooth noise, plus a blurred, slightly
/// shifted response on each detected 8-connected region, plus an optional false alarm. CV_32FC1.
cv::Mat simulate_map(const cv::Mat& mask, const SimulatedMapsSpec& spec, Rng& rng);

/// Writes a float32 TIFF map for every test image of `categories` at
/// <maps_root>/<sample id>.tiff (the MVTec evaluation layout), each seeded by (seed, sample id).
/// Throws IoError when maps_root exists and is not an empty folder.
void write_simulated_maps(const Dataset& dataset, const std::vector<std::string>& categories,
                          const std::filesystem::path& maps_root, const SimulatedMapsSpec& spec);

}  // namespace kdad::datasets
