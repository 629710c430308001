// Generated evaluation inputs for the metric benchmarks.
#include "harness/bench/metric_fixtures.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "datasets/simulated_maps.h"
#include "datasets/synthetic.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>

#include <fstream>

namespace kdad::harness {

std::vector<metrics::ScoredImage> make_metric_fixture(int images, int size, std::uint64_t seed) {
  std::vector<metrics::ScoredImage> out(static_cast<std::size_t>(images));
  const Rng base(seed);
  const auto& defects = datasets::synthetic_defect_names();
  parallel_for(out.size(), hardware_threads(), [&](std::size_t i, int) {
    Rng rng = base.derive(i);
    metrics::ScoredImage& image = out[i];
    image.id = fmt::format("bench/test/{:04d}", i);
    image.mask = cv::Mat::zeros(size, size, CV_8UC1);
    if (i % 3 != 0) {
      image.label = Label::anomalous;
      cv::Mat canvas(size, size, CV_8UC1, cv::Scalar(128));
      const int count = static_cast<int>(rng.uniform_int(1, 3));
      for (int d = 0; d < count; ++d) {
        const auto& defect = defects[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(defects.size()) - 1))];
        image.mask |= datasets::draw_defect("speckle", defect, canvas, rng);
      }
    }
    image.map = datasets::simulate_map(image.mask, {}, rng);
    double max_value = 0;
    cv::minMaxLoc(image.map, nullptr, &max_value);
    image.score = static_cast<float>(max_value);
  });
  return out;
}

void dump_pixels(const std::vector<metrics::ScoredImage>& images, const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  std::ofstream scores(folder / "scores.f32", std::ios::binary);
  std::ofstream labels(folder / "labels.u8", std::ios::binary);
  for (const auto& image : images) {
    for (int y = 0; y < image.map.rows; ++y) {
      scores.write(reinterpret_cast<const char*>(image.map.ptr<float>(y)),
                   static_cast<std::streamsize>(image.map.cols * sizeof(float)));
      const cv::Mat row = image.mask.row(y) != 0;
      cv::Mat binary;
      row.convertTo(binary, CV_8U, 1.0 / 255.0);
      labels.write(reinterpret_cast<const char*>(binary.ptr<uchar>(0)), image.mask.cols);
    }
  }
  if (!scores || !labels) throw IoError(folder.string(), "cannot write the benchmark pixels");
}

}  // namespace kdad::harness
