// Preprocessing shared by methods.
#include "datasets/preprocess.h"

#include "core/error.h"

#include <opencv2/core.hpp>

#include <cmath>

namespace kdad::datasets {
namespace {

constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

cv::Size target_size(cv::Size in, const PreprocessSpec& spec) {
  switch (spec.size_rule) {
    case PreprocessSpec::SizeRule::exact: return spec.size;
    case PreprocessSpec::SizeRule::shorter_side: return shorter_side_size(in, spec.shorter);
    case PreprocessSpec::SizeRule::keep: return in;
  }
  return in;
}

}  // namespace

cv::Mat center_crop(const cv::Mat& image, cv::Size crop) {
  if (crop.width <= 0 || crop.height <= 0 || crop == image.size()) return image;
  cv::Mat source = image;
  if (crop.width > image.cols || crop.height > image.rows) {
    // torchvision pads (left/right/top/bottom) with zeros first, then crops.
    const int pad_left = std::max(0, (crop.width - image.cols) / 2);
    const int pad_top = std::max(0, (crop.height - image.rows) / 2);
    const int pad_right = std::max(0, (crop.width - image.cols + 1) / 2);
    const int pad_bottom = std::max(0, (crop.height - image.rows + 1) / 2);
    cv::copyMakeBorder(image, source, pad_top, pad_bottom, pad_left, pad_right, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  }
  const int top = static_cast<int>(std::nearbyint((source.rows - crop.height) / 2.0));
  const int left = static_cast<int>(std::nearbyint((source.cols - crop.width) / 2.0));
  return source(cv::Rect(left, top, crop.width, crop.height)).clone();
}

cv::Mat prepare_image(const cv::Mat& image, const PreprocessSpec& spec) {
  return center_crop(pil_resize(image, target_size(image.size(), spec), spec.filter), spec.crop);
}

cv::Mat prepare_mask(const cv::Mat& mask, const PreprocessSpec& spec) {
  return center_crop(resize_mask(mask, target_size(mask.size(), spec), spec.mask_rule), spec.crop);
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
