// PNG through libpng. libpng reports errors by longjmp: each call that may fail runs in a small
// guard function whose frame holds no C++ object, and the message is kept for the DataError.
#include "datasets/image_codecs_internal.h"

#include "core/error.h"

#include <fmt/format.h>
#include <png.h>

#include <array>
#include <csetjmp>
#include <cstring>
#include <vector>

namespace kdad::datasets::codecs {
namespace fs = std::filesystem;
namespace {

struct PngMessage {
  char text[256] = {};
};

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
  auto* out = static_cast<PngMessage*>(png_get_error_ptr(png));
  std::snprintf(out->text, sizeof out->text, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // ancillary-chunk noise is not the user's problem

// The read or write state; destroyed whatever happens.
class PngState {
 public:
  explicit PngState(bool writing) : writing_(writing) {
    png_ = writing ? png_create_write_struct(PNG_LIBPNG_VER_STRING, &message_, on_error, on_warning)
                   : png_create_read_struct(PNG_LIBPNG_VER_STRING, &message_, on_error, on_warning);
    if (png_) info_ = png_create_info_struct(png_);
  }
  ~PngState() {
    if (writing_) {
      png_destroy_write_struct(&png_, info_ ? &info_ : nullptr);
    } else {
      png_destroy_read_struct(&png_, info_ ? &info_ : nullptr, nullptr);
    }
  }
  PngState(const PngState&) = delete;
  PngState& operator=(const PngState&) = delete;
  png_structp png() const { return png_; }
  png_infop info() const { return info_; }
  const char* message() const { return message_.text; }

 private:
  bool writing_;
  PngMessage message_;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

// Guards: the only frames a longjmp lands in.
bool guarded_read_info(png_structp png, png_infop info, std::FILE* file) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);  // kdad's own pixel limit applies
  png_read_info(png, info);
  return true;
}

bool guarded_transform(png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) return false;
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) {
    png_set_palette_to_rgb(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  }
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);  // as OpenCV: BGRA
  if (depth == 16) png_set_swap(png);                                 // host order (little-endian)
  png_set_bgr(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return true;
}

bool guarded_read_image(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);  // a stream cut after the pixels still lacks its end: corrupt
  return true;
}

bool guarded_write(png_structp png, png_infop info, std::FILE* file, png_uint_32 width, png_uint_32 height, int depth,
                   int color, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  png_set_IHDR(png, info, width, height, depth, color, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  if (color & PNG_COLOR_MASK_COLOR) png_set_bgr(png);
  if (depth == 16) png_set_swap(png);
  png_write_image(png, rows);
  png_write_end(png, info);
  return true;
}

[[noreturn]] void corrupt(const fs::path& file, const PngState& state) {
  throw DataError(file.string(), fmt::format("truncated or corrupt PNG (libpng: {})",
                                             state.message()[0] ? state.message() : "unknown error"));
}

}  // namespace

cv::Size png_size(const fs::path& file) {
  CFile handle(file, "rb");
  std::array<unsigned char, 24> header{};
  if (std::fread(header.data(), 1, header.size(), handle.get()) != header.size() ||
      std::memcmp(header.data() + 12, "IHDR", 4) != 0) {
    throw DataError(file.string(), "truncated or corrupt PNG (no image header)");
  }
  auto u32 = [&](std::size_t at) {
    return (std::uint32_t{header[at]} << 24) | (std::uint32_t{header[at + 1]} << 16) |
           (std::uint32_t{header[at + 2]} << 8) | header[at + 3];
  };
  const std::uint32_t width = u32(16);
  const std::uint32_t height = u32(20);
  if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
    throw DataError(file.string(), fmt::format("PNG header has an invalid size {}x{}", width, height));
  }
  return {static_cast<int>(width), static_cast<int>(height)};
}

cv::Mat decode_png(const fs::path& file) {
  CFile handle(file, "rb");
  PngState state(false);
  if (!state.png() || !state.info()) throw InternalError(file.string(), "libpng could not start");
  if (!guarded_read_info(state.png(), state.info(), handle.get())) corrupt(file, state);
  if (!guarded_transform(state.png(), state.info())) corrupt(file, state);
  const auto width = static_cast<int>(png_get_image_width(state.png(), state.info()));
  const auto height = static_cast<int>(png_get_image_height(state.png(), state.info()));
  const int channels = png_get_channels(state.png(), state.info());
  const int depth = png_get_bit_depth(state.png(), state.info()) == 16 ? CV_16U : CV_8U;
  if (channels < 1 || channels > 4) throw DataError(file.string(), fmt::format("PNG with {} channels", channels));
  cv::Mat image(height, width, CV_MAKETYPE(depth, channels));
  std::vector<png_bytep> rows(static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) rows[static_cast<std::size_t>(y)] = image.ptr<png_byte>(y);
  if (!guarded_read_image(state.png(), state.info(), rows.data())) corrupt(file, state);
  return image;
}

}  // namespace kdad::datasets::codecs

namespace kdad::datasets {
using namespace codecs;

void encode_png(const std::filesystem::path& file, const cv::Mat& image) {
  const int depth = image.depth() == CV_16U ? 16 : 8;
  if ((image.depth() != CV_8U && image.depth() != CV_16U) || image.channels() == 2 || image.channels() > 4) {
    throw InternalError(file.string(), "PNG to write must be 8/16-bit with 1, 3 or 4 channels");
  }
  const int color = image.channels() == 1 ? PNG_COLOR_TYPE_GRAY
                    : image.channels() == 3 ? PNG_COLOR_TYPE_RGB
                                            : PNG_COLOR_TYPE_RGB_ALPHA;
  cv::Mat contiguous = image.isContinuous() ? image : image.clone();
  std::vector<png_bytep> rows(static_cast<std::size_t>(contiguous.rows));
  for (int y = 0; y < contiguous.rows; ++y) rows[static_cast<std::size_t>(y)] = contiguous.ptr<png_byte>(y);
  std::FILE* raw = std::fopen(file.c_str(), "wb");
  if (!raw) throw IoError(file.string(), fmt::format("cannot write: {}", std::strerror(errno)));
  bool ok = false;
  {
    PngState state(true);
    ok = state.png() && state.info() &&
         guarded_write(state.png(), state.info(), raw, static_cast<png_uint_32>(contiguous.cols),
                       static_cast<png_uint_32>(contiguous.rows), depth, color, rows.data());
  }
  const bool closed = std::fclose(raw) == 0;
  if (!ok || !closed) throw IoError(file.string(), "cannot write PNG");
}

}  // namespace kdad::datasets
