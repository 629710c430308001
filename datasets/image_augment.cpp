// DRAEM's texture augmenters.
#include "datasets/image_augment.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <cmath>

namespace kdad::datasets {
namespace {

cv::Mat apply_lut_per_channel(const cv::Mat& image, const std::vector<cv::Mat>& luts) {
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  for (std::size_t c = 0; c < planes.size(); ++c) cv::LUT(planes[c], luts[c % luts.size()], planes[c]);
  cv::Mat out;
  cv::merge(planes, out);
  return out;
}

cv::Mat gamma_contrast(const cv::Mat& image, Rng& rng) {
  std::vector<cv::Mat> luts;
  for (int c = 0; c < image.channels(); ++c) {
    const double gamma = rng.uniform(0.5, 2.0);
    cv::Mat lut(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v) lut.at<uchar>(v) = cv::saturate_cast<uchar>(255.0 * std::pow(v / 255.0, gamma));
    luts.push_back(lut);
  }
  return apply_lut_per_channel(image, luts);
}

// imgaug converts from "RGB" to one of six colour spaces and scales the brightness channel.
cv::Mat brightness(const cv::Mat& image, Rng& rng) {
  const double multiply = rng.uniform(0.8, 1.2);
  const double add = rng.uniform(-30.0, 30.0);
  const bool multiply_first = rng.bernoulli(0.5);
  if (image.channels() == 1) {
    cv::Mat out;
    image.convertTo(out, CV_8U, multiply_first ? multiply : 1.0, multiply_first ? add : add * multiply);
    return out;
  }
  struct Space {
    int to, from, channel;
  };
  static constexpr std::array<Space, 6> kSpaces = {{{cv::COLOR_RGB2YCrCb, cv::COLOR_YCrCb2RGB, 0},
                                                    {cv::COLOR_RGB2HSV, cv::COLOR_HSV2RGB, 2},
                                                    {cv::COLOR_RGB2HLS, cv::COLOR_HLS2RGB, 1},
                                                    {cv::COLOR_RGB2Lab, cv::COLOR_Lab2RGB, 0},
                                                    {cv::COLOR_RGB2Luv, cv::COLOR_Luv2RGB, 0},
                                                    {cv::COLOR_RGB2YUV, cv::COLOR_YUV2RGB, 0}}};
  const Space& space = kSpaces[static_cast<std::size_t>(rng.uniform_int(0, 5))];
  cv::Mat converted;
  cv::cvtColor(image, converted, space.to);
  std::vector<cv::Mat> planes;
  cv::split(converted, planes);
  cv::Mat& channel = planes[static_cast<std::size_t>(space.channel)];
  if (multiply_first) {
    channel.convertTo(channel, CV_8U, multiply, add);
  } else {
    channel.convertTo(channel, CV_8U, multiply, add * multiply);
  }
  cv::merge(planes, converted);
  cv::Mat out;
  cv::cvtColor(converted, out, space.from);
  return out;
}

// PIL ImageEnhance.Sharpness: blend with PIL's SMOOTH filter ([1 1 1; 1 5 1; 1 1 1] / 13),
// borders taken from the original.
cv::Mat sharpness(const cv::Mat& image, Rng& rng) {
  const double factor = rng.uniform(0.0, 2.0);
  const cv::Mat kernel = (cv::Mat_<float>(3, 3) << 1, 1, 1, 1, 5, 1, 1, 1, 1) / 13.0f;
  cv::Mat smooth;
  cv::filter2D(image, smooth, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE);
  image.row(0).copyTo(smooth.row(0));
  image.row(image.rows - 1).copyTo(smooth.row(image.rows - 1));
  image.col(0).copyTo(smooth.col(0));
  image.col(image.cols - 1).copyTo(smooth.col(image.cols - 1));
  cv::Mat out;
  cv::addWeighted(smooth, 1.0 - factor, image, factor, 0.0, out);
  return out;
}

cv::Mat hue_saturation(const cv::Mat& image, Rng& rng) {
  const int hue_shift = static_cast<int>(rng.uniform_int(-50, 50));
  const int saturation_shift = static_cast<int>(rng.uniform_int(-50, 50));
  if (image.channels() == 1) return image.clone();
  cv::Mat hsv;
  cv::cvtColor(image, hsv, cv::COLOR_RGB2HSV_FULL);  // hue on 0..255, as imgaug maps it
  for (int y = 0; y < hsv.rows; ++y) {
    auto* row = hsv.ptr<cv::Vec3b>(y);
    for (int x = 0; x < hsv.cols; ++x) {
      row[x][0] = static_cast<uchar>((row[x][0] + hue_shift + 256) % 256);
      row[x][1] = cv::saturate_cast<uchar>(row[x][1] + saturation_shift);
    }
  }
  cv::Mat out;
  cv::cvtColor(hsv, out, cv::COLOR_HSV2RGB_FULL);
  return out;
}

cv::Mat solarize(const cv::Mat& image, Rng& rng) {
  const bool apply = rng.bernoulli(0.5);
  const int threshold = static_cast<int>(rng.uniform_int(32, 128));
  if (!apply) return image.clone();
  cv::Mat lut(1, 256, CV_8U);
  for (int v = 0; v < 256; ++v) lut.at<uchar>(v) = static_cast<uchar>(v >= threshold ? 255 - v : v);
  return apply_lut_per_channel(image, {lut});
}

cv::Mat posterize(const cv::Mat& image, Rng& rng) {
  const int bits = static_cast<int>(rng.uniform_int(1, 8));
  const auto keep = static_cast<uchar>(~((1 << (8 - bits)) - 1));
  cv::Mat out;
  cv::bitwise_and(image, cv::Scalar::all(keep), out);
  return out;
}

// PIL ImageOps.autocontrast per channel: drop `cutoff` % of the histogram at each end, then
// stretch the remaining range linearly to 0..255.
cv::Mat autocontrast(const cv::Mat& image, Rng& rng) {
  const int cutoff = static_cast<int>(rng.uniform_int(0, 20));
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  for (auto& plane : planes) {
    std::array<long, 256> histogram{};
    for (int y = 0; y < plane.rows; ++y) {
      for (int x = 0; x < plane.cols; ++x) ++histogram[plane.at<uchar>(y, x)];
    }
    const long cut = static_cast<long>(plane.total()) * cutoff / 100;
    int low = 0, high = 255;
    for (long seen = 0; low < 255 && seen + histogram[static_cast<std::size_t>(low)] <= cut; ++low) seen += histogram[static_cast<std::size_t>(low)];
    for (long seen = 0; high > 0 && seen + histogram[static_cast<std::size_t>(high)] <= cut; --high) seen += histogram[static_cast<std::size_t>(high)];
    if (high <= low) continue;
    const double scale = 255.0 / (high - low);
    cv::Mat lut(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v) lut.at<uchar>(v) = cv::saturate_cast<uchar>((v - low) * scale);
    cv::LUT(plane, lut, plane);
  }
  cv::Mat out;
  cv::merge(planes, out);
  return out;
}

cv::Mat equalize(const cv::Mat& image) {
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  for (auto& plane : planes) cv::equalizeHist(plane, plane);
  cv::Mat out;
  cv::merge(planes, out);
  return out;
}

}  // namespace

cv::Mat rotate_about_center(const cv::Mat& image, double degrees) {
  const cv::Point2f center(static_cast<float>(image.cols - 1) / 2.0f, static_cast<float>(image.rows - 1) / 2.0f);
  cv::Mat out;
  cv::warpAffine(image, out, cv::getRotationMatrix2D(center, degrees, 1.0), image.size(), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return out;
}

cv::Mat augment(const cv::Mat& image, Augmenter augmenter, Rng& rng) {
  switch (augmenter) {
    case Augmenter::gamma_contrast: return gamma_contrast(image, rng);
    case Augmenter::brightness: return brightness(image, rng);
    case Augmenter::sharpness: return sharpness(image, rng);
    case Augmenter::hue_saturation: return hue_saturation(image, rng);
    case Augmenter::solarize: return solarize(image, rng);
    case Augmenter::posterize: return posterize(image, rng);
    case Augmenter::invert: return cv::Scalar::all(255) - image;
    case Augmenter::autocontrast: return autocontrast(image, rng);
    case Augmenter::equalize: return equalize(image);
    case Augmenter::rotate: return rotate_about_center(image, rng.uniform(-45.0, 45.0));
  }
  return image.clone();
}

std::string augmenter_name(Augmenter augmenter) {
  static constexpr std::array<const char*, kAugmenterCount> kNames = {
      "gamma_contrast", "brightness", "sharpness", "hue_saturation", "solarize",
      "posterize",      "invert",     "autocontrast", "equalize",   "rotate"};
  return kNames[static_cast<std::size_t>(augmenter)];
}

}  // namespace kdad::datasets
