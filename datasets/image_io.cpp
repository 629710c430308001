// Reading images, masks and anomaly maps with errors that name the file.
#include "datasets/image_io.h"

#include "core/error.h"
#include "datasets/image_codec.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <fstream>
#include <set>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

std::atomic<bool> g_accept_noisy_masks{false};

void ensure_parent(const fs::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  if (ec) throw IoError(file.parent_path().string(), "cannot create folder: " + ec.message());
}

// The largest channel of each pixel: a mask's value whatever its colour model.
cv::Mat strongest_channel(const cv::Mat& raw) {
  if (raw.channels() == 1) return raw;
  std::vector<cv::Mat> channels;
  cv::split(raw, channels);
  cv::Mat out = channels[0].clone();
  for (std::size_t c = 1; c < channels.size(); ++c) out = cv::max(out, channels[c]);
  return out;
}

}  // namespace

void set_accept_noisy_masks(bool accept) { g_accept_noisy_masks.store(accept); }

void apply_image_input_policy(const ImageInputPolicy& policy) {
  set_max_image_pixels(policy.max_pixels);
  set_accept_noisy_masks(policy.accept_noisy_masks);
}

std::vector<int> mask_values(const cv::Mat& raw, std::size_t at_most) {
  std::set<int> values;
  cv::Mat as_int;
  strongest_channel(raw).convertTo(as_int, CV_32S);
  for (int y = 0; y < as_int.rows && values.size() < at_most; ++y) {
    const int* row = as_int.ptr<int>(y);
    for (int x = 0; x < as_int.cols && values.size() < at_most; ++x) values.insert(row[x]);
  }
  return {values.begin(), values.end()};
}

bool is_two_valued_mask(const std::vector<int>& values) {
  if (values.size() <= 2 && (values.size() < 2 || values.front() == 0)) return true;
  return !values.empty() && values.front() >= 0 && values.back() <= kMaxMaskClassIndex;
}

cv::Mat read_image(const fs::path& file) {
  cv::Mat raw = decode_image_file(file);
  if (raw.depth() == CV_16U) raw.convertTo(raw, CV_8U, 1.0 / 257.0);
  if (raw.depth() != CV_8U) throw DataError(file.string(), "image must have 8 or 16 bits per channel");
  switch (raw.channels()) {
    case 1:
    case 3:
      return raw;
    case 4: {
      cv::Mat bgr;
      cv::cvtColor(raw, bgr, cv::COLOR_BGRA2BGR);
      return bgr;
    }
    default:
      throw DataError(file.string(), fmt::format("image has {} channels; expected 1, 3 or 4", raw.channels()));
  }
}

cv::Mat read_mask(const fs::path& file) {
  const cv::Mat raw = decode_image_file(file);
  if (raw.depth() != CV_8U && raw.depth() != CV_16U) throw DataError(file.string(), "mask must have 8 or 16 bits per channel");
  const cv::Mat value = strongest_channel(raw);
  const std::vector<int> values = mask_values(value, 3 + kMaxMaskClassIndex);
  cv::Mat defect;
  if (is_two_valued_mask(values)) {
    defect = value != 0;
  } else if (g_accept_noisy_masks.load()) {
    double high = 0;
    cv::minMaxLoc(value, nullptr, &high);
    defect = value > high / 2;  // compression noise around 0 and the maximum is split in the middle
  } else {
    const bool jpeg = read_image_header(file).format == ImageFileFormat::jpeg;
    throw DataError(file.string(), fmt::format("mask is not two-valued ({}{} distinct values{}); masks hold 0 and one "
                                               "defect value, or class indices up to {}; --accept-noisy-masks "
                                               "splits it at half its maximum",
                                               values.size() > 2 + kMaxMaskClassIndex ? "over " : "",
                                               std::min(values.size(), std::size_t{2} + kMaxMaskClassIndex),
                                               jpeg ? ", a JPEG-compressed file" : "", kMaxMaskClassIndex));
  }
  cv::Mat binary;
  defect.convertTo(binary, CV_8U, 1.0 / 255.0);  // 255 → 1
  return binary;
}

cv::Size image_size(const fs::path& file) {
  const ImageHeader header = check_image_file(file);
  return {header.width, header.height};
}

cv::Mat read_anomaly_map(const fs::path& file) {
  cv::Mat raw = decode_image_file(file);
  if (raw.channels() != 1) {
    throw DataError(file.string(), fmt::format("anomaly map has {} channels; expected 1", raw.channels()));
  }
  switch (raw.depth()) {
    case CV_32F:
      return raw;
    case CV_8U:
    case CV_8S:
    case CV_16U:
    case CV_16S: {
      cv::Mat out;
      raw.convertTo(out, CV_32F);
      return out;
    }
    case CV_64F: {
      cv::Mat out, back;
      raw.convertTo(out, CV_32F);
      out.convertTo(back, CV_64F);
      cv::Mat differs = (back != raw) & (raw == raw);  // NaN compares unequal to itself
      if (cv::countNonZero(differs) > 0) {
        throw DataError(file.string(), "float64 anomaly map has values that are not float32; "
                                       "write float32 maps (narrowing would create ties)");
      }
      return out;
    }
    default:
      throw DataError(file.string(), "anomaly map has an unsupported pixel type");
  }
}

void write_anomaly_map(const fs::path& file, const cv::Mat& map) {
  if (map.type() != CV_32FC1) throw InternalError(file.string(), "anomaly map to write is not CV_32FC1");
  ensure_parent(file);
  encode_float32_tiff(file, map);
}

void write_float16_tiff(const fs::path& file, const cv::Mat& map) {
  if (map.type() != CV_32FC1) throw InternalError(file.string(), "map to write is not CV_32FC1");
  static_assert(std::endian::native == std::endian::little, "the TIFF below is written as little-endian ('II')");
  cv::Mat half;
  map.convertTo(half, CV_16F);
  // A baseline little-endian TIFF: header, one IFD of 11 entries (ascending tags), then the pixels
  // as one strip. OpenCV's encoder writes 16-bit floats as integers, so it is written here.
  const auto width = static_cast<std::uint32_t>(map.cols);
  const auto height = static_cast<std::uint32_t>(map.rows);
  const std::uint32_t bytes = width * height * 2;
  const std::uint16_t entries = 11;
  const std::uint32_t data_offset = 8 + 2 + entries * 12 + 4;
  std::string out;
  auto u16 = [&](std::uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); };
  auto u32 = [&](std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  auto entry = [&](std::uint16_t tag, std::uint16_t type, std::uint32_t value) {
    u16(tag);
    u16(type);
    u32(1);
    if (type == 3) {  // SHORT: left-justified in the 4-byte value field
      u16(static_cast<std::uint16_t>(value));
      u16(0);
    } else {
      u32(value);
    }
  };
  out += "II";
  u16(42);
  u32(8);
  u16(entries);
  entry(256, 4, width);        // ImageWidth
  entry(257, 4, height);       // ImageLength
  entry(258, 3, 16);           // BitsPerSample
  entry(259, 3, 1);            // Compression: none
  entry(262, 3, 1);            // PhotometricInterpretation: BlackIsZero
  entry(273, 4, data_offset);  // StripOffsets
  entry(277, 3, 1);            // SamplesPerPixel
  entry(278, 4, height);       // RowsPerStrip
  entry(279, 4, bytes);        // StripByteCounts
  entry(284, 3, 1);            // PlanarConfiguration: chunky
  entry(339, 3, 3);            // SampleFormat: IEEE floating point
  u32(0);                      // no further IFD
  for (int y = 0; y < half.rows; ++y) out.append(half.ptr<char>(y), static_cast<std::size_t>(half.cols) * 2);
  ensure_parent(file);
  std::ofstream stream(file, std::ios::binary);
  stream.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!stream) throw IoError(file.string(), "cannot write map");
}

void write_image(const fs::path& file, const cv::Mat& image) {
  const std::string extension = file.extension().string();
  if (extension != ".png" && extension != ".jpg") throw InternalError(file.string(), "images are written as .png or .jpg");
  ensure_parent(file);
  if (extension == ".png") {
    encode_png(file, image);
  } else {
    encode_jpeg(file, image);
  }
}

}  // namespace kdad::datasets
