// Reading images, masks and anomaly maps with errors that name the file.
#pragma once

#include <opencv2/core/mat.hpp>

#include <filesystem>

namespace kdad::datasets {

/// Decodes an image as 8-bit BGR (CV_8UC3) or gray (CV_8UC1), at its stored resolution.
/// 16-bit images are scaled to 8 bits, alpha is dropped. Throws DataError naming the file when it
/// is missing or cannot be decoded.
cv::Mat read_image(const std::filesystem::path& file);

/// Decodes a ground-truth mask as CV_8UC1 with values 0/1: a pixel is a defect when any channel is
/// non-zero (masks with values 0/255 or small integers per defect are both binarised this way).
cv::Mat read_mask(const std::filesystem::path& file);

/// Width and height of an image file. PNG headers are parsed directly (no decode); other formats
/// are decoded. Throws DataError naming the file.
cv::Size image_size(const std::filesystem::path& file);

/// Reads an anomaly map as CV_32FC1. float32 files are taken as stored; 8/16-bit integer maps are
/// converted exactly; float64 maps are accepted only when every value is a float32 (narrowing
/// would create ties that change the metrics). Multi-channel maps are rejected.
cv::Mat read_anomaly_map(const std::filesystem::path& file);

/// Writes an anomaly map (CV_32FC1) as a float32 TIFF, creating parent folders.
void write_anomaly_map(const std::filesystem::path& file, const cv::Mat& map);

/// Writes a map (CV_32FC1) as an uncompressed single-channel float16 TIFF (IEEE half, rounded to
/// nearest even; SampleFormat 3), the format of MVTec AD 2's submissions, creating parent folders.
/// Values beyond the float16 range become ±infinity.
void write_float16_tiff(const std::filesystem::path& file, const cv::Mat& map);

/// Writes an 8-bit image (PNG, or the format of the extension), creating parent folders.
void write_image(const std::filesystem::path& file, const cv::Mat& image);

}  // namespace kdad::datasets
