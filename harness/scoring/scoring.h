// The one scoring path of `kdad run` and `kdad eval`: a map and its ground truth become a scored
// image at the protocol's resolution, the protocol gives the metric settings, scored images become
// metrics, and metrics become the cell's records.
#pragma once

#include "core/sample.h"
#include "datasets/dataset.h"
#include "datasets/preprocess.h"
#include "harness/scoring/protocol.h"
#include "metrics/evaluation.h"
#include "metrics/results.h"
#include "metrics/scored_image.h"
#include "metrics/threshold_f1.h"
#include "reports/records.h"

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <vector>

namespace kdad::harness {

/// Where a map lies in its image and how the ground truth reaches the map's grid: the method's
/// input transform (Method::input_transform). Size rule `keep` without a crop: the map covers the
/// whole image.
using MapFrame = datasets::PreprocessSpec;

/// The metric settings `protocol` fixes (AU-PRO limit, every RD4AD setting), on `threads` workers.
metrics::EvalOptions metric_options(const EvalProtocol& protocol, int threads);

/// `map` (CV_32FC1, covering the frame's centre crop of the resized image, or the whole resized
/// image without a crop) in the frame of an `image_size` image: placed where the crop came from,
/// the rest filled with the map's minimum (a crop sees nothing there, so nothing there can rank
/// above what it saw), then resized bilinearly (OpenCV, half-pixel centres) to `image_size`.
cv::Mat map_in_image_frame(const cv::Mat& map, cv::Size image_size, const MapFrame& frame);

/// One test image as the metrics of `protocol` see it. `mask` is the CV_8UC1 0/1 ground truth at
/// the image's resolution (empty = no defect pixel). Native resolution: the map placed in the
/// image frame against the mask. Method resolution: the map as given against the mask transformed
/// by the frame (resize by its mask rule, crop); a frame without a crop covers the whole image, so
/// its mask is resized to the map's grid by the rule; with a crop the sizes must agree. Throws InternalError for a
/// map that is not a non-empty CV_32FC1 matrix.
metrics::ScoredImage score_map(const std::string& id, Label label, float score, const cv::Mat& map, const cv::Mat& mask,
                               cv::Size image_size, const MapFrame& frame, const EvalProtocol& protocol);

/// The metrics of one category. Pixel metrics use only the images with pixel ground truth
/// (`pixel_truth[i]`: normal, or anomalous with a mask), image metrics use all; without
/// `pixel_ground_truth` (image-level datasets) only image metrics are computed.
metrics::CategoryMetrics evaluate_scored(std::span<const metrics::ScoredImage> images, const std::vector<char>& pixel_truth,
                                         bool pixel_ground_truth, const metrics::EvalOptions& options);

/// MVTec AD 2's threshold from defect-free validation maps: mean + 3σ of all their pixels.
double validation_threshold(const metrics::PixelStatistics& validation);

/// SegF1 of the scored test images that have pixel ground truth (`pixel_truth`, as for
/// evaluate_scored), binarised at mean + 3σ of the pixels of the defect-free validation maps.
metrics::SegF1Metrics seg_f1(std::span<const metrics::ScoredImage> images, const std::vector<char>& pixel_truth,
                             const metrics::PixelStatistics& validation, std::size_t validation_images);

/// One record per scored test image; `refs` and `images` list the same images in the same order.
std::vector<reports::ImageRecord> image_records(const std::vector<datasets::SampleRef>& refs,
                                                std::span<const metrics::ScoredImage> images);

/// Appends every named metric value and every non-empty curve of `metrics` to `cell`.
void add_metric_records(const metrics::CategoryMetrics& metrics, reports::CellRecord& cell);

/// What a cell's details record of its metrics: image and region counts, pixel counts and the
/// RD4AD variant's coverage.
nlohmann::json metric_details(const metrics::CategoryMetrics& metrics);

}  // namespace kdad::harness
