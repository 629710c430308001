// Format recognition, the pixel limit and the dispatch to the per-format codecs.
#include "datasets/image_codec.h"

#include "core/error.h"
#include "datasets/image_codecs_internal.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

std::atomic<std::uint64_t> g_max_image_pixels{kDefaultMaxImagePixels};

// Missing, a folder, a dangling link or a link loop: one message naming the path as given.
void require_regular_file(const fs::path& file) {
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (ec || !fs::exists(status)) {
    std::error_code link_ec;
    if (fs::is_symlink(fs::symlink_status(file, link_ec))) {
      throw DataError(file.string(), ec && ec.value() == ELOOP ? "symbolic link loop" : "dangling symbolic link");
    }
    throw DataError(file.string(), "file not found");
  }
  if (fs::is_directory(status)) throw DataError(file.string(), "is a folder, not an image file");
  if (!fs::is_regular_file(status)) throw DataError(file.string(), "not a regular file");
}

ImageFileFormat sniff(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string(), fmt::format("cannot open: {}", std::strerror(errno)));
  std::array<unsigned char, 8> magic{};
  in.read(reinterpret_cast<char*>(magic.data()), magic.size());
  const auto got = static_cast<std::size_t>(in.gcount());
  if (got == 0) throw DataError(file.string(), "empty file");
  static constexpr std::array<unsigned char, 8> kPng = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (got >= 8 && magic == kPng) return ImageFileFormat::png;
  if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) return ImageFileFormat::jpeg;
  if (got >= 4 && ((magic[0] == 'I' && magic[1] == 'I' && (magic[2] == 42 || magic[2] == 43) && magic[3] == 0) ||
                   (magic[0] == 'M' && magic[1] == 'M' && magic[2] == 0 && (magic[3] == 42 || magic[3] == 43)))) {
    return ImageFileFormat::tiff;
  }
  if (got >= 2 && magic[0] == 'B' && magic[1] == 'M') return ImageFileFormat::bmp;
  throw DataError(file.string(), "not a PNG, JPEG, TIFF or BMP file (unrecognised first bytes)");
}

void check_limit(const fs::path& file, cv::Size size) {
  const auto pixels = static_cast<std::uint64_t>(size.width) * static_cast<std::uint64_t>(size.height);
  if (pixels > g_max_image_pixels.load()) {
    throw DataError(file.string(), fmt::format("image is {}x{} = {} pixels, over the limit of {} "
                                               "(raise it with --max-image-pixels)",
                                               size.width, size.height, pixels, g_max_image_pixels.load()));
  }
}

// True when `pattern` occurs in the last `window` bytes of the file.
bool tail_contains(const fs::path& file, const std::string& pattern, std::size_t window) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  const auto size = static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg()));
  const std::size_t start = size > window ? size - window : 0;
  std::string tail(size - start, '\0');
  in.seekg(static_cast<std::streamoff>(start));
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return in && tail.find(pattern) != std::string::npos;
}

}  // namespace

const char* image_file_format_name(ImageFileFormat format) {
  switch (format) {
    case ImageFileFormat::png: return "PNG";
    case ImageFileFormat::jpeg: return "JPEG";
    case ImageFileFormat::tiff: return "TIFF";
    case ImageFileFormat::bmp: return "BMP";
  }
  return "?";
}

std::uint64_t max_image_pixels() { return g_max_image_pixels.load(); }

void set_max_image_pixels(std::uint64_t pixels) {
  if (pixels == 0) throw ConfigError("--max-image-pixels", "must be a positive number of pixels");
  g_max_image_pixels.store(pixels);
}

ImageHeader read_image_header(const fs::path& file) {
  require_regular_file(file);
  ImageHeader header;
  header.format = sniff(file);
  cv::Size size;
  switch (header.format) {
    case ImageFileFormat::png: size = codecs::png_size(file); break;
    case ImageFileFormat::jpeg: size = codecs::jpeg_size(file); break;
    case ImageFileFormat::tiff: size = codecs::tiff_size(file); break;
    case ImageFileFormat::bmp: size = codecs::bmp_size(file); break;
  }
  if (size.width <= 0 || size.height <= 0) {
    throw DataError(file.string(), fmt::format("{} header has an invalid size {}x{}", image_file_format_name(header.format),
                                               size.width, size.height));
  }
  check_limit(file, size);
  header.width = size.width;
  header.height = size.height;
  return header;
}

ImageHeader check_image_file(const fs::path& file) {
  const ImageHeader header = read_image_header(file);
  // Truncated downloads lose the end of the file: the marker that closes a PNG (IEND) or a JPEG
  // (EOI) is missing. Searched in the last 64 KiB, so trailing bytes after it are tolerated.
  constexpr std::size_t kWindow = 64 * 1024;
  switch (header.format) {
    case ImageFileFormat::png:
      if (!tail_contains(file, std::string("\0\0\0\0IEND", 8), kWindow)) {
        throw DataError(file.string(), "truncated PNG: no IEND chunk at the end of the file");
      }
      break;
    case ImageFileFormat::jpeg:
      if (!tail_contains(file, "\xFF\xD9", kWindow)) {
        throw DataError(file.string(), "truncated JPEG: no end-of-image marker at the end of the file");
      }
      break;
    case ImageFileFormat::tiff: codecs::tiff_check_complete(file); break;
    case ImageFileFormat::bmp: codecs::bmp_check_complete(file); break;
  }
  return header;
}

cv::Mat decode_image_file(const fs::path& file) {
  const ImageHeader header = read_image_header(file);
  cv::Mat image;
  switch (header.format) {
    case ImageFileFormat::png: image = codecs::decode_png(file); break;
    case ImageFileFormat::jpeg: image = codecs::decode_jpeg(file); break;
    case ImageFileFormat::tiff: image = codecs::decode_tiff(file); break;
    case ImageFileFormat::bmp: image = codecs::decode_bmp(file); break;
  }
  if (image.cols != header.width || image.rows != header.height) {
    throw InternalError(file.string(), "decoded size differs from the header's");
  }
  return image;
}

namespace codecs {

CFile::CFile(const fs::path& file, const char* mode) : handle_(std::fopen(file.c_str(), mode)) {
  if (!handle_) throw DataError(file.string(), fmt::format("cannot open: {}", std::strerror(errno)));
}

CFile::~CFile() {
  if (handle_) std::fclose(handle_);
}

}  // namespace codecs
}  // namespace kdad::datasets
