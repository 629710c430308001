// TIFF through libtiff: anomaly maps (float32/64, 8/16-bit integers, float16) and images. The
// library's error and warning handlers are replaced once so that nothing is printed; the last
// error of the calling thread is kept for the DataError.
#include "datasets/image_codecs_internal.h"

#include "core/error.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <mutex>
#include <vector>

namespace kdad::datasets::codecs {
namespace fs = std::filesystem;
namespace {

thread_local std::string t_last_error;

void on_error(const char* module, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  t_last_error = module ? fmt::format("{}: {}", module, text) : std::string(text);
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    TIFFSetErrorHandler(on_error);
    TIFFSetWarningHandler(nullptr);
  });
}

class TiffFile {
 public:
  TiffFile(const fs::path& file, const char* mode) {
    install_handlers();
    t_last_error.clear();
    tiff_ = TIFFOpen(file.c_str(), mode);
  }
  ~TiffFile() {
    if (tiff_) TIFFClose(tiff_);
  }
  TiffFile(const TiffFile&) = delete;
  TiffFile& operator=(const TiffFile&) = delete;
  TIFF* get() const { return tiff_; }

 private:
  TIFF* tiff_ = nullptr;
};

[[noreturn]] void corrupt(const fs::path& file) {
  throw DataError(file.string(), fmt::format("truncated or corrupt TIFF (libtiff: {})",
                                             t_last_error.empty() ? "unknown error" : t_last_error));
}

struct Layout {
  std::uint32_t width = 0, height = 0;
  std::uint16_t samples = 1, bits = 1, format = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG, photometric = 0;
};

Layout read_layout(TIFF* tiff) {
  Layout l;
  TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &l.width);
  TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &l.height);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &l.samples);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &l.bits);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLEFORMAT, &l.format);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_PLANARCONFIG, &l.planar);
  if (!TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &l.photometric)) l.photometric = PHOTOMETRIC_MINISBLACK;
  return l;
}

// The OpenCV depth of a sample kind kdad reads directly; -1 for everything else (read as RGBA).
int direct_depth(const Layout& l) {
  if (l.planar != PLANARCONFIG_CONTIG && l.samples > 1) return -1;
  if (l.photometric != PHOTOMETRIC_MINISBLACK && l.photometric != PHOTOMETRIC_RGB) return -1;
  if (l.samples < 1 || l.samples > 4) return -1;
  switch (l.format) {
    case SAMPLEFORMAT_UINT:
      return l.bits == 8 ? CV_8U : l.bits == 16 ? CV_16U : -1;
    case SAMPLEFORMAT_INT:
      return l.bits == 8 ? CV_8S : l.bits == 16 ? CV_16S : l.bits == 32 ? CV_32S : -1;
    case SAMPLEFORMAT_IEEEFP:
      return l.bits == 16 ? CV_16F : l.bits == 32 ? CV_32F : l.bits == 64 ? CV_64F : -1;
    default:
      return -1;
  }
}

// Strips or tiles of contiguous samples, copied into rows of `image`.
bool read_direct(TIFF* tiff, cv::Mat& image) {
  const std::size_t row_bytes = image.cols * image.elemSize();
  if (TIFFIsTiled(tiff)) {
    std::uint32_t tile_w = 0, tile_h = 0;
    TIFFGetField(tiff, TIFFTAG_TILEWIDTH, &tile_w);
    TIFFGetField(tiff, TIFFTAG_TILELENGTH, &tile_h);
    if (tile_w == 0 || tile_h == 0) return false;
    std::vector<unsigned char> tile(static_cast<std::size_t>(TIFFTileSize(tiff)));
    for (std::uint32_t y0 = 0; y0 < static_cast<std::uint32_t>(image.rows); y0 += tile_h) {
      for (std::uint32_t x0 = 0; x0 < static_cast<std::uint32_t>(image.cols); x0 += tile_w) {
        if (TIFFReadTile(tiff, tile.data(), x0, y0, 0, 0) < 0) return false;
        const std::uint32_t w = std::min(tile_w, static_cast<std::uint32_t>(image.cols) - x0);
        const std::uint32_t h = std::min(tile_h, static_cast<std::uint32_t>(image.rows) - y0);
        for (std::uint32_t y = 0; y < h; ++y) {
          std::memcpy(image.ptr(static_cast<int>(y0 + y)) + x0 * image.elemSize(),
                      tile.data() + y * tile_w * image.elemSize(), w * image.elemSize());
        }
      }
    }
    return true;
  }
  if (static_cast<std::size_t>(TIFFScanlineSize(tiff)) != row_bytes) return false;
  for (int y = 0; y < image.rows; ++y) {
    if (TIFFReadScanline(tiff, image.ptr(y), static_cast<std::uint32_t>(y), 0) < 0) return false;
  }
  return true;
}

}  // namespace

cv::Size tiff_size(const fs::path& file) {
  TiffFile tiff(file, "rm");  // 'm': no memory mapping, so a truncated file fails cleanly
  if (!tiff.get()) corrupt(file);
  const Layout l = read_layout(tiff.get());
  if (l.width > 0x7fffffffu || l.height > 0x7fffffffu) {
    throw DataError(file.string(), fmt::format("TIFF header has an invalid size {}x{}", l.width, l.height));
  }
  return {static_cast<int>(l.width), static_cast<int>(l.height)};
}

void tiff_check_complete(const fs::path& file) {
  TiffFile tiff(file, "rm");
  if (!tiff.get()) corrupt(file);
  std::error_code ec;
  const auto size = static_cast<std::uint64_t>(fs::file_size(file, ec));
  const std::uint32_t striles = TIFFIsTiled(tiff.get()) ? TIFFNumberOfTiles(tiff.get()) : TIFFNumberOfStrips(tiff.get());
  for (std::uint32_t i = 0; i < striles; ++i) {
    int error = 0;
    const std::uint64_t offset = TIFFGetStrileOffsetWithErr(tiff.get(), i, &error);
    const std::uint64_t bytes = error ? 0 : TIFFGetStrileByteCountWithErr(tiff.get(), i, &error);
    if (error || ec || offset + bytes > size) {
      throw DataError(file.string(), fmt::format("truncated TIFF: {} {} of {} ends past the file's {} bytes",
                                                 TIFFIsTiled(tiff.get()) ? "tile" : "strip", i + 1, striles, size));
    }
  }
}

cv::Mat decode_tiff(const fs::path& file) {
  TiffFile tiff(file, "rm");
  if (!tiff.get()) corrupt(file);
  const Layout l = read_layout(tiff.get());
  const int width = static_cast<int>(l.width);
  const int height = static_cast<int>(l.height);
  const int depth = direct_depth(l);
  if (depth >= 0) {
    cv::Mat image(height, width, CV_MAKETYPE(depth, l.samples));
    if (!read_direct(tiff.get(), image)) corrupt(file);
    if (depth == CV_16F) image.convertTo(image, CV_32F);  // exact
    if (l.samples >= 3) {  // RGB(A) → BGR(A), any depth
      std::vector<cv::Mat> planes;
      cv::split(image, planes);
      std::swap(planes[0], planes[2]);
      cv::merge(planes, image);
    }
    return image;
  }
  // Palettes, bilevel, YCbCr, CMYK, separate planes: libtiff's RGBA conversion (8 bits).
  std::vector<std::uint32_t> rgba(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  if (!TIFFReadRGBAImageOriented(tiff.get(), l.width, l.height, rgba.data(), ORIENTATION_TOPLEFT, 0)) corrupt(file);
  cv::Mat image(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    auto* out = image.ptr<unsigned char>(y);
    const std::uint32_t* in = rgba.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    for (int x = 0; x < width; ++x, out += 3) {
      out[0] = static_cast<unsigned char>(TIFFGetB(in[x]));
      out[1] = static_cast<unsigned char>(TIFFGetG(in[x]));
      out[2] = static_cast<unsigned char>(TIFFGetR(in[x]));
    }
  }
  return image;
}

}  // namespace kdad::datasets::codecs

namespace kdad::datasets {

void encode_float32_tiff(const std::filesystem::path& file, const cv::Mat& map) {
  if (map.type() != CV_32FC1) throw InternalError(file.string(), "map to write is not CV_32FC1");
  codecs::TiffFile tiff(file, "w");
  bool ok = tiff.get() != nullptr;
  if (ok) {
    TIFF* t = tiff.get();
    const auto rows_per_strip = static_cast<std::uint32_t>(std::max(1, 65536 / std::max(1, map.cols * 4)));
    ok = TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(map.cols)) &&
         TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(map.rows)) &&
         TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1) && TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32) &&
         TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP) &&
         TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK) &&
         TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
         TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE) &&
         TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, rows_per_strip);
    for (int y = 0; ok && y < map.rows; ++y) {
      ok = TIFFWriteScanline(t, const_cast<unsigned char*>(map.ptr<unsigned char>(y)), static_cast<std::uint32_t>(y), 0) >= 0;
    }
    ok = ok && TIFFFlush(t);
  }
  if (!ok) {
    throw IoError(file.string(), fmt::format("cannot write TIFF{}", codecs::t_last_error.empty() ? "" : " (" + codecs::t_last_error + ")"));
  }
}

}  // namespace kdad::datasets
