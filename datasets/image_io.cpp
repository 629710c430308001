// Reading images, masks and anomaly maps with errors that name the file.
#include "datasets/image_io.h"

#include "core/error.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <bit>
#include <fstream>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

cv::Mat decode(const fs::path& file, int flags, const char* what) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw DataError(file.string(), fmt::format("{} not found", what));
  cv::Mat mat;
  try {
    mat = cv::imread(file.string(), flags);
  } catch (const cv::Exception& e) {
    throw DataError(file.string(), fmt::format("cannot decode {}: {}", what, e.msg));
  }
  if (mat.empty()) throw DataError(file.string(), fmt::format("cannot decode {} (unreadable or unsupported format)", what));
  return mat;
}

std::uint32_t big_endian_u32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

void ensure_parent(const fs::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  if (ec) throw IoError(file.parent_path().string(), "cannot create folder: " + ec.message());
}

}  // namespace

cv::Mat read_image(const fs::path& file) {
  cv::Mat raw = decode(file, cv::IMREAD_UNCHANGED, "image");
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
  const cv::Mat raw = decode(file, cv::IMREAD_UNCHANGED, "mask");
  cv::Mat any_channel;
  if (raw.channels() == 1) {
    any_channel = raw != 0;
  } else {
    std::vector<cv::Mat> channels;
    cv::split(raw, channels);
    any_channel = channels[0] != 0;
    for (std::size_t c = 1; c < channels.size(); ++c) any_channel |= channels[c] != 0;
  }
  cv::Mat binary;
  any_channel.convertTo(binary, CV_8U, 1.0 / 255.0);  // 255 → 1
  return binary;
}

cv::Size image_size(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string(), "image not found");
  std::array<unsigned char, 24> header{};
  in.read(reinterpret_cast<char*>(header.data()), header.size());
  static constexpr std::array<unsigned char, 8> kPngSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  const bool png = in.gcount() == 24 && std::equal(kPngSignature.begin(), kPngSignature.end(), header.begin()) &&
                   std::string(header.begin() + 12, header.begin() + 16) == "IHDR";
  if (png) {
    const std::uint32_t width = big_endian_u32(header.data() + 16);
    const std::uint32_t height = big_endian_u32(header.data() + 20);
    if (width == 0 || height == 0 || width > (1u << 30) || height > (1u << 30)) {
      throw DataError(file.string(), "PNG header has an invalid size");
    }
    return {static_cast<int>(width), static_cast<int>(height)};
  }
  return decode(file, cv::IMREAD_UNCHANGED, "image").size();
}

cv::Mat read_anomaly_map(const fs::path& file) {
  cv::Mat raw = decode(file, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH, "anomaly map");
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
  if (!cv::imwrite(file.string(), map)) throw IoError(file.string(), "cannot write anomaly map");
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
  ensure_parent(file);
  if (!cv::imwrite(file.string(), image)) throw IoError(file.string(), "cannot write image");
}

}  // namespace kdad::datasets
