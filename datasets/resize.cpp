// Pillow-compatible resampling (libImaging/Resample.c semantics, written from its description):
// per output pixel a window [xmin, xmin + count) of weights filter((x + xmin − centre + 0.5)/fs),
// normalised to sum 1, converted to 22-bit fixed point rounding half away from zero, accumulated
// in 32-bit integers from 0.5 and shifted back with clamping.
#include "datasets/resize.h"

#include "core/error.h"

#include <fmt/format.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace kdad::datasets {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

double filter_support(ResizeFilter filter) {
  switch (filter) {
    case ResizeFilter::box: return 0.5;
    case ResizeFilter::bilinear: return 1.0;
    case ResizeFilter::bicubic: return 2.0;
    case ResizeFilter::lanczos: return 3.0;
    case ResizeFilter::nearest: return 0.0;
  }
  return 1.0;
}

double sinc(double x) {
  if (x == 0.0) return 1.0;
  x *= std::numbers::pi;
  return std::sin(x) / x;
}

double filter_weight(ResizeFilter filter, double x) {
  switch (filter) {
    case ResizeFilter::box:
      return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
    case ResizeFilter::bilinear:
      x = std::fabs(x);
      return x < 1.0 ? 1.0 - x : 0.0;
    case ResizeFilter::bicubic: {
      constexpr double a = -0.5;
      x = std::fabs(x);
      if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
      if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
      return 0.0;
    }
    case ResizeFilter::lanczos:
      return (x >= -3.0 && x < 3.0) ? sinc(x) * sinc(x / 3.0) : 0.0;
    case ResizeFilter::nearest:
      return 0.0;
  }
  return 0.0;
}

struct Coefficients {
  int kernel = 0;               // weights per output pixel (padded with zeros)
  std::vector<int> first;       // first input index per output pixel
  std::vector<int> count;       // used weights per output pixel
  std::vector<std::int32_t> k;  // fixed-point weights, kernel per output pixel
};

Coefficients precompute(int in_size, int out_size, ResizeFilter filter) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = filter_support(filter) * filterscale;
  Coefficients c;
  c.kernel = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(static_cast<std::size_t>(out_size));
  c.count.resize(static_cast<std::size_t>(out_size));
  c.k.assign(static_cast<std::size_t>(out_size) * static_cast<std::size_t>(c.kernel), 0);
  std::vector<double> weights(static_cast<std::size_t>(c.kernel));
  const double ss = 1.0 / filterscale;
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const int xmin = std::max(0, static_cast<int>(center - support + 0.5));
    const int xmax = std::min(in_size, static_cast<int>(center + support + 0.5)) - xmin;
    double total = 0.0;
    for (int x = 0; x < xmax; ++x) {
      weights[static_cast<std::size_t>(x)] = filter_weight(filter, (x + xmin - center + 0.5) * ss);
      total += weights[static_cast<std::size_t>(x)];
    }
    c.first[static_cast<std::size_t>(xx)] = xmin;
    c.count[static_cast<std::size_t>(xx)] = xmax;
    for (int x = 0; x < xmax; ++x) {
      const double w = total != 0.0 ? weights[static_cast<std::size_t>(x)] / total : weights[static_cast<std::size_t>(x)];
      const double fixed = w * (1 << kPrecisionBits);
      c.k[static_cast<std::size_t>(xx * c.kernel + x)] = static_cast<std::int32_t>(w < 0 ? fixed - 0.5 : fixed + 0.5);
    }
  }
  return c;
}

std::uint8_t clip8(std::int32_t accumulated) {
  return static_cast<std::uint8_t>(std::clamp(accumulated >> kPrecisionBits, 0, 255));
}

cv::Mat resample_horizontal(const cv::Mat& in, int out_width, ResizeFilter filter) {
  const Coefficients c = precompute(in.cols, out_width, filter);
  const int channels = in.channels();
  cv::Mat out(in.rows, out_width, in.type());
  for (int y = 0; y < in.rows; ++y) {
    const std::uint8_t* src = in.ptr<std::uint8_t>(y);
    std::uint8_t* dst = out.ptr<std::uint8_t>(y);
    for (int xx = 0; xx < out_width; ++xx) {
      const std::int32_t* k = c.k.data() + static_cast<std::ptrdiff_t>(xx) * c.kernel;
      const int xmin = c.first[static_cast<std::size_t>(xx)];
      for (int ch = 0; ch < channels; ++ch) {
        std::int32_t ss = 1 << (kPrecisionBits - 1);
        for (int x = 0; x < c.count[static_cast<std::size_t>(xx)]; ++x) ss += src[(x + xmin) * channels + ch] * k[x];
        dst[xx * channels + ch] = clip8(ss);
      }
    }
  }
  return out;
}

cv::Mat resample_vertical(const cv::Mat& in, int out_height, ResizeFilter filter) {
  const Coefficients c = precompute(in.rows, out_height, filter);
  const int row_bytes = in.cols * in.channels();
  cv::Mat out(out_height, in.cols, in.type());
  for (int yy = 0; yy < out_height; ++yy) {
    const std::int32_t* k = c.k.data() + static_cast<std::ptrdiff_t>(yy) * c.kernel;
    const int ymin = c.first[static_cast<std::size_t>(yy)];
    std::uint8_t* dst = out.ptr<std::uint8_t>(yy);
    for (int i = 0; i < row_bytes; ++i) {
      std::int32_t ss = 1 << (kPrecisionBits - 1);
      for (int y = 0; y < c.count[static_cast<std::size_t>(yy)]; ++y) ss += in.ptr<std::uint8_t>(y + ymin)[i] * k[y];
      dst[i] = clip8(ss);
    }
  }
  return out;
}

// PIL's affine NEAREST: the source coordinate is a running sum from scale/2 in steps of scale.
std::vector<int> nearest_indices(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  std::vector<int> index(static_cast<std::size_t>(out_size));
  double position = scale * 0.5;
  for (int i = 0; i < out_size; ++i, position += scale) {
    index[static_cast<std::size_t>(i)] = std::min(in_size - 1, static_cast<int>(position));
  }
  return index;
}

cv::Mat resize_nearest(const cv::Mat& in, cv::Size size) {
  const auto xs = nearest_indices(in.cols, size.width);
  const auto ys = nearest_indices(in.rows, size.height);
  const auto pixel = static_cast<int>(in.elemSize());
  cv::Mat out(size, in.type());
  for (int y = 0; y < size.height; ++y) {
    const std::uint8_t* src = in.ptr<std::uint8_t>(ys[static_cast<std::size_t>(y)]);
    std::uint8_t* dst = out.ptr<std::uint8_t>(y);
    for (int x = 0; x < size.width; ++x) {
      std::copy_n(src + xs[static_cast<std::size_t>(x)] * pixel, pixel, dst + x * pixel);
    }
  }
  return out;
}

}  // namespace

ResizeFilter parse_resize_filter(const std::string& name) {
  if (name == "nearest") return ResizeFilter::nearest;
  if (name == "box") return ResizeFilter::box;
  if (name == "bilinear") return ResizeFilter::bilinear;
  if (name == "bicubic") return ResizeFilter::bicubic;
  if (name == "lanczos") return ResizeFilter::lanczos;
  throw ConfigError(name, "unknown resize filter (known: nearest, box, bilinear, bicubic, lanczos)");
}

std::string filter_name(ResizeFilter filter) {
  switch (filter) {
    case ResizeFilter::nearest: return "nearest";
    case ResizeFilter::box: return "box";
    case ResizeFilter::bilinear: return "bilinear";
    case ResizeFilter::bicubic: return "bicubic";
    case ResizeFilter::lanczos: return "lanczos";
  }
  return "bilinear";
}

cv::Mat pil_resize(const cv::Mat& image, cv::Size size, ResizeFilter filter) {
  if (image.depth() != CV_8U) throw InternalError("pil_resize", "expects an 8-bit image");
  if (size.width <= 0 || size.height <= 0) throw ConfigError("resize", "target size must be positive");
  if (image.size() == size) return image.clone();
  if (filter == ResizeFilter::nearest) return resize_nearest(image, size);
  cv::Mat out = image;
  if (size.width != image.cols) out = resample_horizontal(out, size.width, filter);
  if (size.height != image.rows) out = resample_vertical(out, size.height, filter);
  return out;
}

std::string to_string(MaskResize rule) { return rule == MaskResize::nearest ? "nearest" : "bilinear_threshold"; }

MaskResize parse_mask_resize(const std::string& text, const std::string& what) {
  if (text == "nearest") return MaskResize::nearest;
  if (text == "bilinear_threshold") return MaskResize::bilinear_threshold;
  throw ConfigError(what, fmt::format("mask resize '{}' is not nearest or bilinear_threshold", text));
}

cv::Mat resize_mask(const cv::Mat& mask, cv::Size size, MaskResize rule) {
  if (mask.size() == size) return mask.clone();
  if (rule == MaskResize::nearest) return pil_resize(mask, size, ResizeFilter::nearest);
  cv::Mat scaled = pil_resize(mask * 255, size, ResizeFilter::bilinear);
  cv::Mat binary;
  cv::threshold(scaled, binary, 127, 1, cv::THRESH_BINARY);  // > 127 ⇔ ≥ 128 ⇔ value/255 > 0.5
  return binary;
}

cv::Size shorter_side_size(cv::Size size, int shorter) {
  if (size.width <= size.height) {
    return {shorter, static_cast<int>(static_cast<double>(shorter) * size.height / size.width)};
  }
  return {static_cast<int>(static_cast<double>(shorter) * size.width / size.height), shorter};
}

}  // namespace kdad::datasets
