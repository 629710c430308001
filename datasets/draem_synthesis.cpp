// DRAEM's anomaly synthesis.
#include "datasets/draem_synthesis.h"

#include "core/error.h"
#include "datasets/dataset.h"
#include "datasets/image_augment.h"
#include "datasets/image_io.h"
#include "datasets/perlin.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <numeric>
#include <array>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

int round_up(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

DraemSynthesizer::DraemSynthesizer(DraemSettings settings) : settings_(std::move(settings)) {
  if (settings_.texture_folder.empty()) return;
  std::error_code ec;
  if (!fs::is_directory(settings_.texture_folder, ec)) {
    throw ConfigError(settings_.texture_folder.string(), "texture folder not found");
  }
  for (const auto& sub : sorted_subfolders(settings_.texture_folder)) {
    for (const auto& file : list_image_files(sub)) textures_.push_back(file);
  }
  for (const auto& file : list_image_files(settings_.texture_folder)) textures_.push_back(file);
  std::sort(textures_.begin(), textures_.end());
  if (textures_.empty()) {
    throw ConfigError(settings_.texture_folder.string(), "no texture images (expected <folder>/<class>/*.jpg like DTD)");
  }
}

std::string DraemSynthesizer::canonical_options() const {
  const auto& s = settings_;
  return fmt::format("draem:textures={}({}),rotate={},clean={},opacity<{},threshold={},augmenters={}",
                     s.texture_folder.empty() ? "self" : s.texture_folder.string(), textures_.size(),
                     s.rotate_probability, s.clean_probability, s.max_opacity, s.threshold, s.augmenters);
}

cv::Mat DraemSynthesizer::texture_for(const cv::Mat& image, Rng& rng) const {
  cv::Mat texture = image;
  if (!textures_.empty()) {
    const auto index = static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(textures_.size()) - 1));
    texture = read_image(textures_[index]);
    if (texture.channels() != image.channels()) {
      cv::cvtColor(texture, texture, image.channels() == 1 ? cv::COLOR_BGR2GRAY : cv::COLOR_GRAY2BGR);
    }
    cv::resize(texture, texture, image.size(), 0, 0, cv::INTER_LINEAR);
  }
  // Three distinct augmenters in random order: a partial Fisher–Yates shuffle.
  std::array<int, kAugmenterCount> order{};
  std::iota(order.begin(), order.end(), 0);
  for (int i = 0; i < settings_.augmenters && i < kAugmenterCount; ++i) {
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(rng.uniform_int(i, kAugmenterCount - 1))]);
    texture = augment(texture, static_cast<Augmenter>(order[static_cast<std::size_t>(i)]), rng);
  }
  return texture;
}

SynthesisResult DraemSynthesizer::synthesize(const cv::Mat& image, Rng& rng) const {
  SynthesisResult result;
  result.clean = rng.bernoulli(settings_.rotate_probability) ? rotate_about_center(image, rng.uniform(-90.0, 90.0))
                                                             : image.clone();
  const cv::Mat texture = texture_for(result.clean, rng);

  const int lattice_rows = 1 << rng.uniform_int(0, 5);
  const int lattice_cols = 1 << rng.uniform_int(0, 5);
  // DRAEM's sizes are multiples of 32; other sizes take noise from a larger field.
  cv::Mat noise = perlin_noise(round_up(image.rows, 32), round_up(image.cols, 32), lattice_rows, lattice_cols, rng);
  noise = rotate_about_center(noise(cv::Rect(0, 0, image.cols, image.rows)).clone(), rng.uniform(-90.0, 90.0));
  const cv::Mat region = noise > settings_.threshold;
  const double opacity = rng.uniform(0.0, settings_.max_opacity);
  const bool clean = rng.bernoulli(settings_.clean_probability);

  result.image = result.clean.clone();
  if (!clean) {
    cv::Mat blended;
    cv::addWeighted(texture, 1.0 - opacity, result.clean, opacity, 0.0, blended);
    blended.copyTo(result.image, region);
  }
  finish_with_exact_mask(result);
  return result;
}

}  // namespace kdad::datasets
