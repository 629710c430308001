// Preprocessing shared by methods.
#include "datasets/preprocess.h"

#include "core/error.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

namespace kdad::datasets {
namespace {

constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

}  // namespace

cv::Size resized_size(cv::Size in, const PreprocessSpec& spec) {
  switch (spec.size_rule) {
    case PreprocessSpec::SizeRule::exact: return spec.size;
    case PreprocessSpec::SizeRule::shorter_side: return shorter_side_size(in, spec.shorter);
    case PreprocessSpec::SizeRule::keep: return in;
  }
  return in;
}

cv::Rect center_crop_rect(cv::Size image, cv::Size crop) {
  if (crop.width <= 0 || crop.height <= 0) return {0, 0, image.width, image.height};
  // torchvision pads (left/right/top/bottom) with zeros first when the crop is larger, then crops.
  const int pad_left = std::max(0, (crop.width - image.width) / 2);
  const int pad_top = std::max(0, (crop.height - image.height) / 2);
  const int pad_right = std::max(0, (crop.width - image.width + 1) / 2);
  const int pad_bottom = std::max(0, (crop.height - image.height + 1) / 2);
  const int top = static_cast<int>(std::nearbyint((image.height + pad_top + pad_bottom - crop.height) / 2.0));
  const int left = static_cast<int>(std::nearbyint((image.width + pad_left + pad_right - crop.width) / 2.0));
  return {left - pad_left, top - pad_top, crop.width, crop.height};
}

cv::Mat center_crop(const cv::Mat& image, cv::Size crop) {
  if (crop.width <= 0 || crop.height <= 0 || crop == image.size()) return image;
  cv::Rect rect = center_crop_rect(image.size(), crop);
  const int pad_left = std::max(0, -rect.x);
  const int pad_top = std::max(0, -rect.y);
  const int pad_right = std::max(0, rect.x + rect.width - image.cols);
  const int pad_bottom = std::max(0, rect.y + rect.height - image.rows);
  cv::Mat source = image;
  if (pad_left + pad_top + pad_right + pad_bottom > 0) {
    cv::copyMakeBorder(image, source, pad_top, pad_bottom, pad_left, pad_right, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    rect.x += pad_left;
    rect.y += pad_top;
  }
  return source(rect).clone();
}

cv::Mat prepare_image(const cv::Mat& image, const PreprocessSpec& spec) {
  return center_crop(pil_resize(image, resized_size(image.size(), spec), spec.filter), spec.crop);
}

cv::Mat prepare_mask(const cv::Mat& mask, const PreprocessSpec& spec) {
  return center_crop(resize_mask(mask, resized_size(mask.size(), spec), spec.mask_rule), spec.crop);
}

FloatImage to_float_image(const cv::Mat& image, bool imagenet_normalize) {
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw InternalError("to_float_image", "expects an 8-bit grey or BGR image");
  }
  FloatImage out;
  out.height = image.rows;
  out.width = image.cols;
  const std::size_t plane = static_cast<std::size_t>(image.rows) * static_cast<std::size_t>(image.cols);
  out.data.resize(3 * plane);
  const int channels = image.channels();
  for (int y = 0; y < image.rows; ++y) {
    const std::uint8_t* row = image.ptr<std::uint8_t>(y);
    for (int x = 0; x < image.cols; ++x) {
      const std::size_t at = static_cast<std::size_t>(y) * static_cast<std::size_t>(image.cols) + static_cast<std::size_t>(x);
      for (int c = 0; c < 3; ++c) {
        // RGB output; OpenCV stores BGR.
        const std::uint8_t v = channels == 1 ? row[x] : row[x * 3 + (2 - c)];
        float f = static_cast<float>(v) / 255.0f;
        if (imagenet_normalize) f = (f - kMean[c]) / kStd[c];
        out.data[static_cast<std::size_t>(c) * plane + at] = f;
      }
    }
  }
  return out;
}

}  // namespace kdad::datasets
