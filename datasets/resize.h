// Image resizing that reproduces Pillow's resampling bit for bit on 8-bit images (the resize the
// reference Python code uses through torchvision), plus the mask rules methods need.
#pragma once

#include <opencv2/core/mat.hpp>

#include <string>

namespace kdad::datasets {

/// Pillow's filters. Every filter except nearest widens its support by the scale factor when
/// shrinking, i.e. it is antialiased (torchvision's Resize on PIL images).
enum class ResizeFilter {
  nearest,   ///< PIL NEAREST: source index floor((x + 0.5)·scale)
  box,       ///< PIL BOX
  bilinear,  ///< PIL BILINEAR (torchvision Resize default)
  bicubic,   ///< PIL BICUBIC (a = −0.5)
  lanczos,   ///< PIL LANCZOS (= Image.ANTIALIAS, MRKD's image resize)
};

/// Parses "nearest", "box", "bilinear", "bicubic", "lanczos"; throws ConfigError otherwise.
ResizeFilter parse_resize_filter(const std::string& name);
std::string filter_name(ResizeFilter filter);

/// Resizes an 8-bit image (CV_8UC1/3/4) to `size` exactly as Pillow's Image.resize does:
/// double-precision coefficients, 22-bit fixed point, horizontal pass then vertical pass through
/// an 8-bit intermediate. Returns a copy when the size is unchanged.
cv::Mat pil_resize(const cv::Mat& image, cv::Size size, ResizeFilter filter);

/// How a 0/1 mask becomes a mask at another resolution.
enum class MaskResize {
  nearest,             ///< PIL NEAREST (MRKD)
  bilinear_threshold,  ///< PIL BILINEAR on 0/255, then value/255 > 0.5, i.e. ≥ 128 (RD4AD)
};

/// "nearest" or "bilinear_threshold".
std::string to_string(MaskResize rule);
/// Parses the names above; throws ConfigError naming `what` otherwise.
MaskResize parse_mask_resize(const std::string& text, const std::string& what);

/// Resizes a CV_8UC1 0/1 mask; the result is CV_8UC1 0/1.
cv::Mat resize_mask(const cv::Mat& mask, cv::Size size, MaskResize rule);

/// torchvision's Resize(int) rule: the shorter side becomes `shorter`, the longer one
/// int(shorter · long / short).
cv::Size shorter_side_size(cv::Size size, int shorter);

}  // namespace kdad::datasets
