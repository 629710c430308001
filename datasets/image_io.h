// Reading images, masks and anomaly maps with errors that name the file.
#pragma once

#include "datasets/image_codec.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace kdad::datasets {

/// Decodes an image as 8-bit BGR (CV_8UC3) or gray (CV_8UC1), at its stored resolution.
/// 16-bit images are scaled to 8 bits, alpha is dropped. Throws DataError naming the file when it
/// is missing, truncated or corrupt, or over max_image_pixels() (datasets/image_codec.h).
cv::Mat read_image(const std::filesystem::path& file);

/// Masks may hold class indices per defect (VisA: 1, 2, ...) up to this value.
inline constexpr int kMaxMaskClassIndex = 32;

/// Decodes a ground-truth mask as CV_8UC1 with values 0/1: a pixel is a defect when any channel is
/// non-zero (masks with values 0/255 or small integers per defect are both binarised this way).
/// A mask that is not two-valued (0 and one other value, or values 0..kMaxMaskClassIndex), such
/// as a JPEG-compressed one, is a DataError naming the file, unless set_accept_noisy_masks(true):
/// then a pixel is a defect above half the mask's maximum.
cv::Mat read_mask(const std::filesystem::path& file);

/// Process-wide (the CLI's --accept-noisy-masks): accept masks that are not two-valued.
void set_accept_noisy_masks(bool accept);

/// How strictly image files are taken, for the whole process: the CLI's --max-image-pixels and
/// --accept-noisy-masks of every command that decodes dataset images.
struct ImageInputPolicy {
  std::uint64_t max_pixels = kDefaultMaxImagePixels;  ///< width × height, > 0
  bool accept_noisy_masks = false;
};

/// Puts `policy` in force (set_max_image_pixels and set_accept_noisy_masks).
void apply_image_input_policy(const ImageInputPolicy& policy);

/// The distinct values (sorted, at most `at_most` of them) of a mask's strongest channel.
std::vector<int> mask_values(const cv::Mat& raw, std::size_t at_most = 64);

/// True when a mask with these distinct values (sorted) is two-valued in read_mask's sense.
bool is_two_valued_mask(const std::vector<int>& values);

/// Width and height of an image file from its header, without decoding; refuses images over
/// max_image_pixels() and truncated files (check_image_file). Throws DataError naming the file.
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

/// Writes an 8-bit image as PNG (.png) or JPEG of quality 90 (.jpg), creating parent folders.
void write_image(const std::filesystem::path& file, const cv::Mat& image);

}  // namespace kdad::datasets
