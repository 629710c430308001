// RD and MRKD against their official computation: official-layout student files ({'bn', 'decoder'})
// and a WideResNet-50-2 teacher written by tests/data/rd_reference.py, loaded through
// Method::load_trained, must give the reference's maps and scores on the same images; MRKD with
// its test-time feature masks fixed on both sides (kdad's masks are handed to the script).
#include "methods/builtin.h"
#include "methods/rd/reverse_distillation.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/types.h>

#include <fstream>

using namespace kdad;
using namespace kdad::methods;
namespace fs = std::filesystem;

namespace {

constexpr int kSize = 64;
constexpr std::uint64_t kSeed = 0;

std::vector<Sample> write_reference_images(const fs::path& folder) {
  cv::RNG rng(11);
  std::vector<Sample> samples;
  for (int i = 0; i < 3; ++i) {
    Sample s;
    s.image = cv::Mat(kSize, kSize, CV_8UC3);
    rng.fill(s.image, cv::RNG::UNIFORM, 60, 200);
    s.image(cv::Rect(10 + 12 * i, 20, 14, 14)).setTo(cv::Scalar(250, 240, 230));  // a bright patch, one place per image
    REQUIRE(cv::imwrite((folder / fmt::format("image_{}.png", i)).string(), s.image));
    s.id = fmt::format("weave/test/ref/{}", i);
    samples.push_back(s);
  }
  return samples;
}

// The FLM masks kdad draws for these samples at each decoder level (16, 8 and 4 positions a side
// at 64 px), as 3×1×h×h float32 files for the script.
void write_flm_masks(const fs::path& folder, const std::vector<Sample>& samples) {
  for (const std::int64_t h : {16, 8, 4}) {
    std::vector<torch::Tensor> masks;
    for (const auto& s : samples) masks.push_back(prediction_flm_mask(kSeed, s.id, h, h, 0.2));
    const torch::Tensor all = torch::cat(masks).contiguous();
    REQUIRE(all.sum().item<float>() < static_cast<float>(all.numel()));  // some positions are dropped
    std::ofstream(folder / fmt::format("flm_{}.f32", h), std::ios::binary)
        .write(static_cast<const char*>(all.data_ptr()), static_cast<std::streamsize>(all.numel() * sizeof(float)));
  }
}

double relative_difference(const cv::Mat& ours, const cv::Mat& reference) {
  double largest = 0;
  cv::minMaxLoc(cv::abs(reference), nullptr, &largest);
  return cv::norm(ours, reference, cv::NORM_INF) / std::max(largest, 1e-30);
}

}  // namespace

TEST_CASE("RD's and MRKD's maps and scores equal the official computation on official student files", "[methods][rd][reference]") {
  test::TempDir dir;
  const std::vector<Sample> samples = write_reference_images(dir.path());
  write_flm_masks(dir.path(), samples);
  if (!test::run_reference_script("rd_reference.py", {dir.path().string()})) return;

  MethodRegistry registry;
  register_builtin_methods(registry);
  for (const std::string id : {"rd", "mrkd"}) {
    INFO(id);
    registry.apply_environment({kSeed, 2, "cpu", true});
    auto method = registry.create(id, registry.resolve(id, "paper", {{"image_size", std::to_string(kSize)},
                                                                    {"weights_dir", (dir / "weights").string()}}));
    FitContext context;
    context.seed = kSeed;
    method->load_trained(dir / (id + "_student.pth"), context);
    const auto predictions = method->predict(samples);
    const auto maps = test::read_raw<float>(dir / (id + "_maps.f32"));
    const auto scores = test::read_raw<double>(dir / (id + "_scores.f64"));
    REQUIRE(predictions.size() == 3);
    REQUIRE(maps.size() == static_cast<std::size_t>(3 * kSize * kSize));
    REQUIRE(scores.size() == 3);
    for (int i = 0; i < 3; ++i) {
      const cv::Mat reference(kSize, kSize, CV_32F, const_cast<float*>(maps.data()) + i * kSize * kSize);
      REQUIRE(predictions[i].anomaly_map.size() == reference.size());
      const double difference = relative_difference(predictions[i].anomaly_map, reference);
      UNSCOPED_INFO(id << " image " << i << ": map relative difference " << difference << ", score "
                       << predictions[i].score << " vs " << scores[i]);
      CHECK(difference <= 1e-4);
      CHECK(predictions[i].score == Approx(scores[i]).epsilon(1e-4));
    }
    CHECK(method->info().weights.find("wide_resnet50_2-95faca4d.pth") != std::string::npos);
  }
}

TEST_CASE("each method declares its input frame and the mask rule of its official evaluation", "[methods]") {
  MethodRegistry registry;
  register_builtin_methods(registry);
  auto frame = [&](const std::string& id) { return registry.create(id, registry.resolve(id, "tiny", {}))->input_transform(); };
  // RD4AD's dataset.py: Resize((n, n)) bilinear on the mask, then > 0.5.
  CHECK(frame("rd").mask_rule == datasets::MaskResize::bilinear_threshold);
  CHECK(frame("rd").size_rule == datasets::PreprocessSpec::SizeRule::exact);
  // MRKD's mvtec.py: Resize(n, NEAREST), shorter side, then the centre crop.
  CHECK(frame("mrkd").mask_rule == datasets::MaskResize::nearest);
  CHECK(frame("mrkd").size_rule == datasets::PreprocessSpec::SizeRule::shorter_side);
  CHECK(frame("mrkd").crop.width == frame("mrkd").shorter);
  CHECK(frame("mkd").mask_rule == datasets::MaskResize::bilinear_threshold);
  CHECK(frame("adps").mask_rule == datasets::MaskResize::bilinear_threshold);
}
