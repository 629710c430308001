// The per-format decoders and encoders behind datasets/image_codec.h (internal to datasets/).
#pragma once

#include "datasets/image_codec.h"

#include <cstdio>
#include <string>

namespace kdad::datasets::codecs {

/// Width and height from the file's header; throws DataError naming `file`.
cv::Size png_size(const std::filesystem::path& file);
cv::Size jpeg_size(const std::filesystem::path& file);
cv::Size tiff_size(const std::filesystem::path& file);
cv::Size bmp_size(const std::filesystem::path& file);

/// Cheap completeness checks without decoding: every strip or tile of a TIFF, and a BMP's pixel
/// rows, lie inside the file; throw DataError naming `file` ("truncated ...") otherwise.
void tiff_check_complete(const std::filesystem::path& file);
void bmp_check_complete(const std::filesystem::path& file);

/// Whole images, IMREAD_UNCHANGED semantics (see decode_image_file); the caller checked the size.
cv::Mat decode_png(const std::filesystem::path& file);
cv::Mat decode_jpeg(const std::filesystem::path& file);
cv::Mat decode_tiff(const std::filesystem::path& file);
cv::Mat decode_bmp(const std::filesystem::path& file);

/// An open C file that closes itself; throws DataError naming the file when it cannot be opened.
class CFile {
 public:
  CFile(const std::filesystem::path& file, const char* mode);
  ~CFile();
  CFile(const CFile&) = delete;
  CFile& operator=(const CFile&) = delete;
  std::FILE* get() const { return handle_; }

 private:
  std::FILE* handle_ = nullptr;
};

}  // namespace kdad::datasets::codecs
