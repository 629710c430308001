// Preprocessing shared by methods: resize (Pillow-compatible), centre crop, grey → 3 channels,
// ImageNet normalisation into a CHW float buffer, and the matching mask transform.
#pragma once

#include "datasets/resize.h"

#include <opencv2/core/mat.hpp>

#include <vector>

namespace kdad::datasets {

/// One method's input transform, mirroring torchvision's Resize → CenterCrop → ToTensor → Normalize.
struct PreprocessSpec {
  enum class SizeRule {
    exact,         ///< Resize((h, w)): resize to `size`
    shorter_side,  ///< Resize(n): shorter side to `shorter`, aspect kept
    keep,          ///< no resize
  };
  SizeRule size_rule = SizeRule::exact;
  cv::Size size{256, 256};
  int shorter = 256;
  ResizeFilter filter = ResizeFilter::bilinear;
  cv::Size crop{0, 0};             ///< centre crop (0×0 = none); larger than the image pads with 0
  bool imagenet_normalize = true;  ///< (x − mean) / std with ImageNet's RGB constants
  MaskResize mask_rule = MaskResize::nearest;
};

/// A CHW float image in RGB channel order, as a network takes it.
struct FloatImage {
  int channels = 3;
  int height = 0;
  int width = 0;
  std::vector<float> data;  ///< channels × height × width
};

/// The 8-bit image after resize and crop (still BGR or grey, as read).
cv::Mat prepare_image(const cv::Mat& image, const PreprocessSpec& spec);

/// The 0/1 mask at the network's resolution: the same resize (by `mask_rule`) and crop.
cv::Mat prepare_mask(const cv::Mat& mask, const PreprocessSpec& spec);

/// An 8-bit BGR or grey image as CHW RGB floats: value/255 (float32, like ToTensor), grey
/// replicated to 3 channels, then ImageNet normalisation in float32 when asked.
FloatImage to_float_image(const cv::Mat& image, bool imagenet_normalize);

/// The image size after the resize step of `spec` (before its crop).
cv::Size resized_size(cv::Size image, const PreprocessSpec& spec);

/// Where torchvision's CenterCrop of `crop` takes its pixels from an `image`-sized input: the
/// rectangle extends past the input (negative offsets) where the crop is larger and pads. A crop of
/// 0×0 is the whole input.
cv::Rect center_crop_rect(cv::Size image, cv::Size crop);

/// torchvision's CenterCrop: offsets round((in − out)/2) (ties to even); zero padding when the
/// crop is larger than the image.
cv::Mat center_crop(const cv::Mat& image, cv::Size crop);

}  // namespace kdad::datasets
