// Resize and preprocessing against Pillow (run through Debian's python3-pil at test time) and
// against torchvision's documented crop and normalisation rules.
#include "core/rng.h"
#include "datasets/preprocess.h"
#include "datasets/resize.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <fstream>

using namespace kdad;
using namespace kdad::datasets;
namespace fs = std::filesystem;

namespace {

// A textured test image with sharp edges, where resampling errors would show.
cv::Mat test_image(int width, int height, int channels, std::uint64_t seed) {
  Rng rng(seed);
  cv::Mat image(height, width, CV_8UC(channels));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const int pattern = ((x / 7 + y / 5 + c) % 2) * 160 + static_cast<int>(rng.uniform_int(0, 95));
        image.ptr<std::uint8_t>(y)[x * channels + c] = static_cast<std::uint8_t>(pattern);
      }
    }
  }
  return image;
}

std::string fmt_index(const char* prefix, std::size_t i) { return prefix + std::to_string(i) + ".png"; }

}  // namespace

TEST_CASE("pil_resize equals Pillow bit for bit for every filter when shrinking and enlarging", "[datasets][resize]") {
  test::TempDir dir;
  struct Job {
    cv::Size from;
    cv::Size to;
    int channels;
    ResizeFilter filter;
  };
  std::vector<Job> jobs;
  for (ResizeFilter filter : {ResizeFilter::nearest, ResizeFilter::box, ResizeFilter::bilinear, ResizeFilter::bicubic,
                              ResizeFilter::lanczos}) {
    jobs.push_back({{300, 300}, {256, 256}, 3, filter});  // MVTec-like shrink
    jobs.push_back({{1024, 700}, {256, 256}, 3, filter}); // strong, anisotropic shrink
    jobs.push_back({{630, 230}, {256, 128}, 1, filter});  // KSDD2-like grey
    jobs.push_back({{28, 28}, {32, 32}, 1, filter});      // MNIST enlarge
    jobs.push_back({{37, 50}, {256, 128}, 3, filter});    // enlarge one axis, shrink none
    jobs.push_back({{256, 300}, {256, 256}, 3, filter});  // one axis unchanged
  }
  std::ofstream list(dir / "jobs.txt");
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const cv::Mat image = test_image(jobs[i].from.width, jobs[i].from.height, jobs[i].channels, i);
    cv::imwrite((dir / fmt_index("in", i)).string(), image);
    list << (dir / fmt_index("in", i)).string() << ' ' << (dir / fmt_index("pil", i)).string() << ' '
         << jobs[i].to.width << ' ' << jobs[i].to.height << ' ' << filter_name(jobs[i].filter) << '\n';
  }
  list.close();
  if (!test::run_reference_script("pil_resize.py", {(dir / "jobs.txt").string()})) return;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const cv::Mat image = cv::imread((dir / fmt_index("in", i)).string(), cv::IMREAD_UNCHANGED);
    const cv::Mat expected = cv::imread((dir / fmt_index("pil", i)).string(), cv::IMREAD_UNCHANGED);
    const cv::Mat ours = pil_resize(image, jobs[i].to, jobs[i].filter);
    INFO(filter_name(jobs[i].filter) << " " << jobs[i].from << " -> " << jobs[i].to << " channels " << jobs[i].channels);
    REQUIRE(expected.size() == ours.size());
    CHECK(cv::norm(expected, ours, cv::NORM_INF) == 0.0);
  }
}

TEST_CASE("centre crop follows torchvision: rounded offsets and zero padding", "[datasets][resize]") {
  cv::Mat image(5, 7, CV_8UC1);
  for (int i = 0; i < 35; ++i) image.at<uchar>(i / 7, i % 7) = static_cast<uchar>(i);
  const cv::Mat crop = center_crop(image, {4, 2});
  // offsets round((7-4)/2) = round(1.5) = 2 and round((5-2)/2) = round(1.5) = 2 (ties to even)
  CHECK(crop.at<uchar>(0, 0) == 2 * 7 + 2);
  const cv::Mat padded = center_crop(image, {9, 5});
  CHECK(padded.size() == cv::Size(9, 5));
  CHECK(padded.at<uchar>(0, 0) == 0);
  CHECK(padded.at<uchar>(0, 1) == 0);
}

TEST_CASE("floats are value/255 then ImageNet-normalised per RGB channel and grey is replicated", "[datasets][resize]") {
  cv::Mat bgr(1, 1, CV_8UC3, cv::Scalar(10, 20, 30));  // B=10, G=20, R=30
  const FloatImage f = to_float_image(bgr, true);
  CHECK(f.data[0] == (30.0f / 255.0f - 0.485f) / 0.229f);
  CHECK(f.data[1] == (20.0f / 255.0f - 0.456f) / 0.224f);
  CHECK(f.data[2] == (10.0f / 255.0f - 0.406f) / 0.225f);
  const FloatImage g = to_float_image(cv::Mat(1, 1, CV_8UC1, cv::Scalar(51)), false);
  CHECK(g.data == std::vector<float>{0.2f, 0.2f, 0.2f});
}

TEST_CASE("mask rules: nearest keeps 0/1, bilinear keeps pixels at value/255 above one half", "[datasets][resize]") {
  cv::Mat mask = cv::Mat::zeros(8, 8, CV_8UC1);
  mask(cv::Rect(0, 0, 3, 8)) = 1;
  const cv::Mat nearest = resize_mask(mask, {4, 4}, MaskResize::nearest);
  CHECK(nearest.at<uchar>(0, 0) == 1);
  CHECK(nearest.at<uchar>(0, 1) == 0);  // source column floor((1 + 0.5)·2) = 3, outside the defect
  const cv::Mat scaled = pil_resize(mask * 255, {4, 4}, ResizeFilter::bilinear);
  const cv::Mat thresholded = resize_mask(mask, {4, 4}, MaskResize::bilinear_threshold);
  for (int x = 0; x < 4; ++x) CHECK(thresholded.at<uchar>(0, x) == (scaled.at<uchar>(0, x) >= 128 ? 1 : 0));
  CHECK(shorter_side_size({630, 230}, 256) == cv::Size(701, 256));
}
