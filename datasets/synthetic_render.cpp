// Synthetic images: category textures and defects with exact masks.
#include "core/error.h"
#include "datasets/synthetic.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace kdad::datasets {
namespace {

cv::Mat noise_field(int size, double sigma, Rng& rng) {
  cv::Mat noise(size, size, CV_32F);
  for (int y = 0; y < size; ++y) {
    float* row = noise.ptr<float>(y);
    for (int x = 0; x < size; ++x) row[x] = static_cast<float>(rng.normal());
  }
  if (sigma > 0) cv::GaussianBlur(noise, noise, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);
  cv::Scalar mean, stddev;
  cv::meanStdDev(noise, mean, stddev);
  noise = (noise - mean[0]) / std::max(stddev[0], 1e-6);
  return noise;
}

cv::Mat render_weave(int size, Rng& rng) {
  const double period = size / rng.uniform(10.0, 14.0);
  const double phase_x = rng.uniform(0, 2 * std::numbers::pi), phase_y = rng.uniform(0, 2 * std::numbers::pi);
  const cv::Mat grain = noise_field(size, 1.0, rng);
  cv::Mat image(size, size, CV_8UC3);
  for (int y = 0; y < size; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < size; ++x) {
      const double wx = std::sin(2 * std::numbers::pi * x / period + phase_x);
      const double wy = std::sin(2 * std::numbers::pi * y / period + phase_y);
      const double v = 0.5 + 0.22 * wx * wy + 0.05 * grain.at<float>(y, x);
      row[x] = cv::Vec3b(cv::saturate_cast<uchar>(255 * v * 0.55), cv::saturate_cast<uchar>(255 * v * 0.75),
                         cv::saturate_cast<uchar>(255 * v * 0.95));
    }
  }
  return image;
}

cv::Mat render_speckle(int size, Rng& rng) {
  const cv::Mat coarse = noise_field(size, size / 24.0, rng);
  const cv::Mat fine = noise_field(size, 0.8, rng);
  cv::Mat image(size, size, CV_8UC1);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const double v = 128 + 28 * coarse.at<float>(y, x) + 8 * fine.at<float>(y, x);
      image.at<uchar>(y, x) = cv::saturate_cast<uchar>(v);
    }
  }
  return image;
}

cv::Mat render_disc(int size, Rng& rng) {
  const cv::Mat grain = noise_field(size, 1.0, rng);
  cv::Mat image(size, size, CV_8UC3);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const auto v = cv::saturate_cast<uchar>(40 + 6 * grain.at<float>(y, x));
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(v, v, v);
    }
  }
  const double jitter = 0.04 * size;
  const cv::Point center(static_cast<int>(size / 2 + rng.uniform(-jitter, jitter)),
                         static_cast<int>(size / 2 + rng.uniform(-jitter, jitter)));
  const int radius = static_cast<int>(size * 0.32);
  cv::circle(image, center, radius, cv::Scalar(150, 190, 210), cv::FILLED, cv::LINE_8);
  cv::circle(image, center, radius * 6 / 10, cv::Scalar(90, 120, 140), std::max(1, size / 40), cv::LINE_8);
  cv::circle(image, center, radius / 5, cv::Scalar(200, 220, 235), cv::FILLED, cv::LINE_8);
  return image;
}

cv::Point random_point(int size, int margin, Rng& rng) {
  return {static_cast<int>(rng.uniform_int(margin, size - 1 - margin)),
          static_cast<int>(rng.uniform_int(margin, size - 1 - margin))};
}

// A point on the object for the object category, anywhere for textures (object-aware placement).
cv::Point defect_anchor(const std::string& category, int size, Rng& rng) {
  if (category != "disc") return random_point(size, size / 10, rng);
  const double angle = rng.uniform(0, 2 * std::numbers::pi);
  const double radius = rng.uniform(0.0, 0.26 * size);
  return {static_cast<int>(size / 2 + radius * std::cos(angle)), static_cast<int>(size / 2 + radius * std::sin(angle))};
}

void draw_blob(cv::Mat& mask, cv::Point center, Rng& rng) {
  const int size = mask.cols;
  const cv::Size axes(static_cast<int>(rng.uniform(0.03, 0.11) * size) + 1,
                      static_cast<int>(rng.uniform(0.02, 0.07) * size) + 1);
  cv::ellipse(mask, center, axes, rng.uniform(0, 180), 0, 360, cv::Scalar(1), cv::FILLED, cv::LINE_8);
}

void draw_scratch(cv::Mat& mask, cv::Point start, Rng& rng) {
  const int size = mask.cols;
  const int thickness = rng.bernoulli(0.5) ? 1 : 2;
  double angle = rng.uniform(0, 2 * std::numbers::pi);
  std::vector<cv::Point> points{start};
  const int steps = static_cast<int>(rng.uniform_int(6, 14));
  for (int i = 0; i < steps; ++i) {
    angle += rng.uniform(-0.5, 0.5);
    const double length = rng.uniform(0.015, 0.035) * size;
    const cv::Point next(std::clamp(static_cast<int>(points.back().x + length * std::cos(angle)), 0, size - 1),
                         std::clamp(static_cast<int>(points.back().y + length * std::sin(angle)), 0, size - 1));
    points.push_back(next);
  }
  cv::polylines(mask, points, false, cv::Scalar(1), thickness, cv::LINE_8);
}

void draw_edge(cv::Mat& mask, Rng& rng) {
  const int size = mask.cols;
  const int along = static_cast<int>(rng.uniform_int(size / 8, size - 1 - size / 8));
  cv::Point center;
  switch (rng.uniform_int(0, 3)) {
    case 0: center = {along, 0}; break;
    case 1: center = {along, size - 1}; break;
    case 2: center = {0, along}; break;
    default: center = {size - 1, along}; break;
  }
  draw_blob(mask, center, rng);
}

void draw_spots(cv::Mat& mask, const std::string& category, Rng& rng) {
  const int count = static_cast<int>(rng.uniform_int(3, 6));
  for (int i = 0; i < count; ++i) {
    const cv::Point at = defect_anchor(category, mask.cols, rng);
    const int radius = static_cast<int>(rng.uniform_int(0, 2));
    if (radius == 0) {
      mask.at<uchar>(at) = 1;  // a single-pixel region
    } else {
      cv::circle(mask, at, radius, cv::Scalar(1), cv::FILLED, cv::LINE_8);
    }
  }
}

// Shifts every masked pixel by at least 60 grey levels, away from the nearer end of the range, so
// each mask pixel is visibly altered and no other pixel is touched.
void apply_defect(cv::Mat& image, const cv::Mat& mask, Rng& rng) {
  const int shift = static_cast<int>(rng.uniform_int(60, 110));
  const int channels = image.channels();
  for (int y = 0; y < image.rows; ++y) {
    uchar* row = image.ptr<uchar>(y);
    const uchar* mask_row = mask.ptr<uchar>(y);
    for (int x = 0; x < image.cols; ++x) {
      if (!mask_row[x]) continue;
      int luminance = 0;
      for (int c = 0; c < channels; ++c) luminance += row[x * channels + c];
      const bool darken = luminance / channels > 127;
      for (int c = 0; c < channels; ++c) {
        uchar& v = row[x * channels + c];
        v = cv::saturate_cast<uchar>(darken ? v - shift : v + shift);
      }
    }
  }
}

}  // namespace

cv::Mat render_normal(const std::string& category, int size, Rng& rng) {
  if (category == "weave") return render_weave(size, rng);
  if (category == "speckle") return render_speckle(size, rng);
  if (category == "disc") return render_disc(size, rng);
  throw ConfigError(category, "unknown synthetic category (known: weave, speckle, disc)");
}

cv::Mat draw_defect(const std::string& category, const std::string& defect, cv::Mat& image, Rng& rng) {
  cv::Mat mask = cv::Mat::zeros(image.size(), CV_8UC1);
  if (defect == "blob") {
    draw_blob(mask, defect_anchor(category, image.cols, rng), rng);
  } else if (defect == "scratch") {
    draw_scratch(mask, defect_anchor(category, image.cols, rng), rng);
  } else if (defect == "edge") {
    draw_edge(mask, rng);
  } else if (defect == "spots") {
    draw_spots(mask, category, rng);
  } else {
    throw ConfigError(defect, "unknown synthetic defect type (known: blob, scratch, edge, spots)");
  }
  apply_defect(image, mask, rng);
  return mask;
}

}  // namespace kdad::datasets
