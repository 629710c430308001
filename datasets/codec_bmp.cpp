// BMP (Windows bitmap, uncompressed 1/4/8/24/32 bits or 16/32-bit bitfields), read by kdad itself:
// BTAD ships its images as BMP. RLE-compressed bitmaps are refused with a message.
#include "datasets/image_codecs_internal.h"

#include "core/error.h"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace kdad::datasets::codecs {
namespace fs = std::filesystem;
namespace {

constexpr std::uint32_t kRgb = 0, kBitfields = 3, kAlphaBitfields = 6;

struct BmpHeader {
  std::uint32_t pixel_offset = 0;
  std::uint32_t info_size = 0;
  std::int32_t width = 0;
  std::int32_t height = 0;  // negative: rows stored top-down
  std::uint16_t bits = 0;
  std::uint32_t compression = 0;
  std::uint32_t palette_size = 0;
  std::array<std::uint32_t, 3> masks{};  // R, G, B bitfields
};

std::uint32_t le32(const unsigned char* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}
std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

std::vector<unsigned char> read_all(const fs::path& file) {
  CFile handle(file, "rb");
  std::vector<unsigned char> bytes;
  std::array<unsigned char, 65536> buffer{};
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), handle.get())) > 0) bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(got));
  return bytes;
}

[[noreturn]] void corrupt(const fs::path& file, const std::string& why) {
  throw DataError(file.string(), "truncated or corrupt BMP (" + why + ")");
}

BmpHeader parse_header(const fs::path& file, const unsigned char* bytes, std::size_t size) {
  if (size < 26) corrupt(file, "no image header");
  BmpHeader h;
  h.pixel_offset = le32(bytes + 10);
  h.info_size = le32(bytes + 14);
  if (h.info_size == 12) {  // OS/2 BITMAPCOREHEADER
    h.width = le16(bytes + 18);
    h.height = le16(bytes + 20);
    h.bits = le16(bytes + 24);
    return h;
  }
  if (h.info_size < 40 || size < 14 + 40) corrupt(file, "no image header");
  h.width = static_cast<std::int32_t>(le32(bytes + 18));
  h.height = static_cast<std::int32_t>(le32(bytes + 22));
  h.bits = le16(bytes + 28);
  h.compression = le32(bytes + 30);
  h.palette_size = le32(bytes + 46);
  if (h.compression == kBitfields || h.compression == kAlphaBitfields) {
    const std::size_t at = h.info_size >= 52 ? 14 + 40 : 14 + h.info_size;  // in the header or after it
    if (size < at + 12) corrupt(file, "bitfield masks missing");
    h.masks = {le32(bytes + at), le32(bytes + at + 4), le32(bytes + at + 8)};
  }
  return h;
}

// Value of the bits selected by `mask`, scaled to 0..255.
unsigned char field(std::uint32_t pixel, std::uint32_t mask) {
  if (mask == 0) return 0;
  int shift = 0;
  while (((mask >> shift) & 1u) == 0) ++shift;
  const std::uint32_t max = mask >> shift;
  return static_cast<unsigned char>((((pixel & mask) >> shift) * 255u + max / 2) / max);
}

}  // namespace

cv::Size bmp_size(const fs::path& file) {
  CFile handle(file, "rb");
  std::array<unsigned char, 64> bytes{};
  const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), handle.get());
  const BmpHeader h = parse_header(file, bytes.data(), got);
  if (h.height == INT32_MIN) corrupt(file, "invalid height");
  return {h.width, std::abs(h.height)};
}

void bmp_check_complete(const fs::path& file) {
  CFile handle(file, "rb");
  std::array<unsigned char, 64> bytes{};
  const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), handle.get());
  const BmpHeader h = parse_header(file, bytes.data(), got);
  if (h.compression != kRgb && h.compression != kBitfields && h.compression != kAlphaBitfields) return;  // refused when decoded
  std::error_code ec;
  const auto size = static_cast<std::uint64_t>(fs::file_size(file, ec));
  const std::uint64_t stride = ((static_cast<std::uint64_t>(h.width) * h.bits + 31) / 32) * 4;
  const std::uint64_t needed = h.pixel_offset + stride * static_cast<std::uint64_t>(std::abs(static_cast<std::int64_t>(h.height)));
  if (ec || size < needed) corrupt(file, fmt::format("{} bytes, {} expected", size, needed));
}

cv::Mat decode_bmp(const fs::path& file) {
  const std::vector<unsigned char> bytes = read_all(file);
  const BmpHeader h = parse_header(file, bytes.data(), bytes.size());
  if (h.compression != kRgb && h.compression != kBitfields && h.compression != kAlphaBitfields) {
    throw DataError(file.string(), fmt::format("compressed BMP (compression {}) is not supported; save it as PNG",
                                               h.compression));
  }
  const bool bitfields = h.compression != kRgb;
  const int width = h.width;
  const int height = std::abs(h.height);
  const bool top_down = h.height < 0;
  const std::size_t stride = ((static_cast<std::size_t>(width) * h.bits + 31) / 32) * 4;
  if (h.pixel_offset > bytes.size() || bytes.size() - h.pixel_offset < stride * static_cast<std::size_t>(height)) {
    corrupt(file, fmt::format("{} bytes of pixels, {} expected", bytes.size() - std::min<std::size_t>(bytes.size(), h.pixel_offset),
                              stride * static_cast<std::size_t>(height)));
  }
  std::vector<std::array<unsigned char, 3>> palette;  // B, G, R
  if (h.bits <= 8) {
    const std::size_t entry = h.info_size == 12 ? 3 : 4;
    const std::size_t count = h.palette_size ? h.palette_size : (std::size_t{1} << h.bits);
    const std::size_t at = 14 + h.info_size;
    if (count > 256 || at + count * entry > h.pixel_offset) corrupt(file, "palette missing");
    for (std::size_t i = 0; i < count; ++i) palette.push_back({bytes[at + i * entry], bytes[at + i * entry + 1], bytes[at + i * entry + 2]});
  } else if (h.bits != 16 && h.bits != 24 && h.bits != 32) {
    corrupt(file, fmt::format("{} bits per pixel", h.bits));
  }
  bool gray = !palette.empty();
  for (const auto& c : palette) gray = gray && c[0] == c[1] && c[1] == c[2];
  const std::array<std::uint32_t, 3> masks =
      bitfields ? h.masks : h.bits == 16 ? std::array<std::uint32_t, 3>{0x7C00, 0x03E0, 0x001F}
                                         : std::array<std::uint32_t, 3>{0xFF0000, 0xFF00, 0xFF};
  cv::Mat image(height, width, gray ? CV_8UC1 : CV_8UC3);
  for (int y = 0; y < height; ++y) {
    const unsigned char* row = bytes.data() + h.pixel_offset + stride * static_cast<std::size_t>(top_down ? y : height - 1 - y);
    auto* out = image.ptr<unsigned char>(y);
    for (int x = 0; x < width; ++x) {
      if (h.bits <= 8) {
        const std::size_t bit = static_cast<std::size_t>(x) * h.bits;
        const unsigned index = (row[bit / 8] >> (8 - h.bits - bit % 8)) & ((1u << h.bits) - 1u);
        if (index >= palette.size()) corrupt(file, "palette index out of range");
        if (gray) {
          out[x] = palette[index][0];
        } else {
          std::memcpy(out + 3 * x, palette[index].data(), 3);
        }
      } else if (h.bits == 24 && !bitfields) {
        std::memcpy(out + 3 * x, row + 3 * x, 3);
      } else {
        const std::uint32_t pixel = h.bits == 16 ? le16(row + 2 * x) : le32(row + 4 * x);
        out[3 * x] = field(pixel, masks[2]);
        out[3 * x + 1] = field(pixel, masks[1]);
        out[3 * x + 2] = field(pixel, masks[0]);
      }
    }
  }
  return image;
}

}  // namespace kdad::datasets::codecs
