// JPEG through libjpeg(-turbo). Errors longjmp out of the library into guard functions that hold
// no C++ object; the warnings that mean missing or garbled pixels (a file that ends early, a bad
// Huffman code) are errors here, where OpenCV prints them and fills the rest with grey.
#include "datasets/image_codecs_internal.h"

#include "core/error.h"

#include <fmt/format.h>

#include <csetjmp>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jerror.h>
#include <jpeglib.h>

#include <vector>

namespace kdad::datasets::codecs {
namespace fs = std::filesystem;
namespace {

struct JpegErrors {
  jpeg_error_mgr manager;  // first member: libjpeg hands back a pointer to it
  std::jmp_buf jump;
  char text[JMSG_LENGTH_MAX] = {};
  bool damaged = false;    // a warning that means missing or garbled pixels
};

[[noreturn]] void on_error(j_common_ptr info) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  (*info->err->format_message)(info, errors->text);
  std::longjmp(errors->jump, 1);
}

void on_message(j_common_ptr info, int level) {
  if (level >= 0) return;  // trace messages
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  switch (info->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_NOT_SEQUENTIAL:
      if (!errors->damaged) (*info->err->format_message)(info, errors->text);
      errors->damaged = true;
      break;
    default:
      break;  // benign (an unknown JFIF revision, extraneous bytes between markers)
  }
}

struct Decoder {
  jpeg_decompress_struct info{};
  JpegErrors errors{};
};

bool guarded_start(Decoder& d, std::FILE* file, bool header_only) {
  if (setjmp(d.errors.jump)) return false;
  jpeg_create_decompress(&d.info);
  jpeg_stdio_src(&d.info, file);
  jpeg_read_header(&d.info, TRUE);
  if (header_only) return true;
  switch (d.info.jpeg_color_space) {
    case JCS_GRAYSCALE: d.info.out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK:
    case JCS_YCCK: d.info.out_color_space = JCS_CMYK; break;
    default: d.info.out_color_space = JCS_EXT_BGR; break;
  }
  jpeg_start_decompress(&d.info);
  return true;
}

bool guarded_read_rows(Decoder& d, JSAMPROW* rows, int height) {
  if (setjmp(d.errors.jump)) return false;
  while (d.info.output_scanline < static_cast<JDIMENSION>(height)) {
    jpeg_read_scanlines(&d.info, rows + d.info.output_scanline, static_cast<JDIMENSION>(height) - d.info.output_scanline);
  }
  jpeg_finish_decompress(&d.info);
  return true;
}

class DecoderGuard {
 public:
  explicit DecoderGuard(Decoder& d) : d_(d) {
    d_.info.err = jpeg_std_error(&d_.errors.manager);
    d_.errors.manager.error_exit = on_error;
    d_.errors.manager.emit_message = on_message;
  }
  ~DecoderGuard() { jpeg_destroy_decompress(&d_.info); }
  DecoderGuard(const DecoderGuard&) = delete;
  DecoderGuard& operator=(const DecoderGuard&) = delete;

 private:
  Decoder& d_;
};

[[noreturn]] void corrupt(const fs::path& file, const Decoder& d) {
  throw DataError(file.string(), fmt::format("truncated or corrupt JPEG (libjpeg: {})",
                                             d.errors.text[0] ? d.errors.text : "unknown error"));
}

// Adobe writes CMYK inverted; scale each colour by the key as OpenCV does.
cv::Mat cmyk_to_bgr(const cv::Mat& cmyk) {
  cv::Mat bgr(cmyk.rows, cmyk.cols, CV_8UC3);
  for (int y = 0; y < cmyk.rows; ++y) {
    const auto* in = cmyk.ptr<unsigned char>(y);
    auto* out = bgr.ptr<unsigned char>(y);
    for (int x = 0; x < cmyk.cols; ++x, in += 4, out += 3) {
      const int k = in[3];
      out[0] = static_cast<unsigned char>(in[2] * k / 255);
      out[1] = static_cast<unsigned char>(in[1] * k / 255);
      out[2] = static_cast<unsigned char>(in[0] * k / 255);
    }
  }
  return bgr;
}

}  // namespace

cv::Size jpeg_size(const fs::path& file) {
  CFile handle(file, "rb");
  Decoder d;
  DecoderGuard guard(d);
  if (!guarded_start(d, handle.get(), true)) corrupt(file, d);
  return {static_cast<int>(d.info.image_width), static_cast<int>(d.info.image_height)};
}

cv::Mat decode_jpeg(const fs::path& file) {
  CFile handle(file, "rb");
  Decoder d;
  DecoderGuard guard(d);
  if (!guarded_start(d, handle.get(), false)) corrupt(file, d);
  const int width = static_cast<int>(d.info.output_width);
  const int height = static_cast<int>(d.info.output_height);
  const int channels = d.info.output_components;
  cv::Mat image(height, width, CV_MAKETYPE(CV_8U, channels));
  std::vector<JSAMPROW> rows(static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) rows[static_cast<std::size_t>(y)] = image.ptr<JSAMPLE>(y);
  if (!guarded_read_rows(d, rows.data(), height) || d.errors.damaged) corrupt(file, d);
  return channels == 4 ? cmyk_to_bgr(image) : image;
}

namespace {

struct Encoder {
  jpeg_compress_struct info{};
  JpegErrors errors{};
};

bool guarded_encode(Encoder& e, std::FILE* file, const cv::Mat& image, int quality) {
  if (setjmp(e.errors.jump)) return false;
  jpeg_create_compress(&e.info);
  jpeg_stdio_dest(&e.info, file);
  e.info.image_width = static_cast<JDIMENSION>(image.cols);
  e.info.image_height = static_cast<JDIMENSION>(image.rows);
  e.info.input_components = image.channels();
  e.info.in_color_space = image.channels() == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_set_defaults(&e.info);
  jpeg_set_quality(&e.info, quality, TRUE);
  jpeg_start_compress(&e.info, TRUE);
  while (e.info.next_scanline < e.info.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.ptr<JSAMPLE>(static_cast<int>(e.info.next_scanline)));
    jpeg_write_scanlines(&e.info, &row, 1);
  }
  jpeg_finish_compress(&e.info);
  return true;
}

}  // namespace
}  // namespace kdad::datasets::codecs

namespace kdad::datasets {

void encode_jpeg(const std::filesystem::path& file, const cv::Mat& image, int quality) {
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw InternalError(file.string(), "JPEG to write must be 8-bit gray or BGR");
  }
  std::FILE* raw = std::fopen(file.c_str(), "wb");
  if (!raw) throw IoError(file.string(), "cannot write JPEG");
  bool ok = false;
  {
    codecs::Encoder e;
    e.info.err = jpeg_std_error(&e.errors.manager);
    e.errors.manager.error_exit = codecs::on_error;
    e.errors.manager.emit_message = codecs::on_message;
    ok = codecs::guarded_encode(e, raw, image, quality);
    jpeg_destroy_compress(&e.info);
  }
  const bool closed = std::fclose(raw) == 0;
  if (!ok || !closed) throw IoError(file.string(), "cannot write JPEG");
}

}  // namespace kdad::datasets
