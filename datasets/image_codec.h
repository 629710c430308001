// Image files decoded and encoded with libpng, libjpeg and libtiff (and a BMP reader of kdad's
// own) instead of OpenCV's imgcodecs, whose dependencies (GDAL and some 100 libraries) cost every
// kdad command a tenth of a second at start. Every failure is a DataError naming the file; the
// libraries' own warnings are never printed.
#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>

namespace kdad::datasets {

/// The file formats kdad reads, recognised by their first bytes (never by the extension).
enum class ImageFileFormat { png, jpeg, tiff, bmp };

/// "PNG", "JPEG", "TIFF" or "BMP".
const char* image_file_format_name(ImageFileFormat format);

/// What a file's header says, read without decoding its pixels.
struct ImageHeader {
  ImageFileFormat format = ImageFileFormat::png;
  int width = 0;   ///< pixels, > 0
  int height = 0;  ///< pixels, > 0
};

/// The documented default of the largest image kdad decodes: 100 megapixels (the largest MVTec
/// AD 2 images have 14.8). A header claiming more is refused before any pixel is decoded, so a
/// forged header or a decompression bomb cannot exhaust memory.
inline constexpr std::uint64_t kDefaultMaxImagePixels = 100'000'000;

/// The limit in force (width × height), kDefaultMaxImagePixels unless raised.
std::uint64_t max_image_pixels();

/// Sets the limit for the whole process (the CLI's --max-image-pixels); must be > 0.
void set_max_image_pixels(std::uint64_t pixels);

/// Reads the header of an image file. Throws DataError naming the file when it is missing, a
/// folder, of an unknown format, or its header is damaged or claims more than max_image_pixels().
ImageHeader read_image_header(const std::filesystem::path& file);

/// read_image_header() plus a check, without decoding, that the file is complete: a PNG ends
/// with its IEND chunk, a JPEG with its end-of-image marker, a TIFF's strips and a BMP's rows lie
/// inside the file. Catches truncated downloads where only the size is needed (kdad eval); a
/// corrupt but complete file is found by decode_image_file. Throws DataError naming the file.
ImageHeader check_image_file(const std::filesystem::path& file);

/// Decodes a whole image file as stored, like OpenCV's IMREAD_UNCHANGED: channels in B, G, R(, A)
/// order; gray stays one channel; depth CV_8U/CV_16U (CV_8S, CV_16S, CV_32S, CV_32F, CV_64F from
/// TIFF; float16 TIFFs become CV_32F exactly); palettes expanded. A truncated or corrupt file is a
/// DataError naming it (a JPEG that ends early, a PNG stream cut short, a TIFF strip missing), as
/// is an image over max_image_pixels().
cv::Mat decode_image_file(const std::filesystem::path& file);

/// Writes an 8- or 16-bit image with 1, 3 (BGR) or 4 (BGRA) channels as PNG, creating no folders.
void encode_png(const std::filesystem::path& file, const cv::Mat& image);

/// Writes an 8-bit gray or BGR image as JPEG of `quality` (1..100), creating no folders.
void encode_jpeg(const std::filesystem::path& file, const cv::Mat& image, int quality = 90);

/// Writes a CV_32FC1 map as a single-channel float32 TIFF (deflate), creating no folders.
void encode_float32_tiff(const std::filesystem::path& file, const cv::Mat& map);

}  // namespace kdad::datasets
