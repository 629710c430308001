// Every registered method through fit → predict → save → load → predict with its tiny preset;
// network shapes and sizes against RD4AD's; checkpoint mismatches; and learning on generated data.
#include "core/error.h"
#include "datasets/mvtec_ad.h"
#include "datasets/synthetic.h"
#include "methods/builtin.h"
#include "methods/common/backbones.h"
#include "methods/common/checkpoint.h"
#include "methods/rd/networks.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/cuda.h>
#include <torch/nn.h>

#include <array>
#include <fstream>

using namespace kdad;
using namespace kdad::methods;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::int64_t parameter_count(torch::nn::Module& module) {
  std::int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

struct Data {
  test::TempDir dir;
  std::unique_ptr<datasets::MvtecAd> dataset;
  datasets::CategorySplit split;  ///< of `category`
  std::string category;
  explicit Data(int train, int test_per_defect, const std::vector<std::string>& categories = {"weave"}) {
    // categories, side, train, test good, test per defect, seed
    datasets::make_synthetic_dataset(dir / "data", {categories, 128, train, 8, test_per_defect, 4});
    dataset = std::make_unique<datasets::MvtecAd>(dir / "data");
    select(categories.front());
  }
  void select(const std::string& name) {
    category = name;
    split = dataset->split(name);
  }
  std::vector<Sample> test_samples(std::size_t count) const {
    std::vector<Sample> out;
    for (std::size_t i = 0; i < std::min(count, split.test.size()); ++i) out.push_back(dataset->load(split.test[i]));
    return out;
  }
};

std::unique_ptr<Method> fitted(const MethodRegistry& registry, const std::string& id, const std::map<std::string, std::string>& overrides,
                               const Data& data, std::uint64_t seed) {
  registry.apply_environment({seed, 2, "cpu", true});
  auto method = registry.create(id, registry.resolve(id, "tiny", overrides));
  FitContext context;
  context.seed = seed;
  context.threads = 2;
  method->fit({*data.dataset, data.split.train, data.category}, context);
  return method;
}

// P(score of an anomalous image > score of a normal one), ties counting one half.
double image_auroc(const std::vector<std::pair<float, bool>>& scores) {
  double wins = 0, pairs = 0;
  for (const auto& [a, anomalous_a] : scores) {
    for (const auto& [n, anomalous_n] : scores) {
      if (!anomalous_a || anomalous_n) continue;
      wins += a > n ? 1.0 : a == n ? 0.5 : 0.0;
      pairs += 1;
    }
  }
  return wins / pairs;
}

// Pixel AU-ROC by the rank-sum statistic (ties get their mean rank).
double pixel_auroc(const std::vector<std::pair<float, bool>>& pixels) {
  std::vector<std::pair<float, bool>> sorted = pixels;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double positive_rank_sum = 0, positives = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j].first == sorted[i].first) ++j;
    const double mean_rank = (static_cast<double>(i + j - 1)) / 2.0 + 1.0;
    for (std::size_t k = i; k < j; ++k) {
      if (sorted[k].second) {
        positive_rank_sum += mean_rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(sorted.size()) - positives;
  return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

// Largest difference between two predictions' maps relative to the largest map value.
double relative_difference(const Prediction& a, const Prediction& b) {
  double max_value = 0;
  cv::minMaxLoc(cv::abs(a.anomaly_map), nullptr, &max_value);
  return cv::norm(a.anomaly_map, b.anomaly_map, cv::NORM_INF) / std::max(max_value, 1e-30);
}

bool same_maps(const std::vector<Prediction>& a, const std::vector<Prediction>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].score != b[i].score || cv::norm(a[i].anomaly_map, b[i].anomaly_map, cv::NORM_INF) != 0) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("backbones have torchvision's state dict sizes and RD's feature shapes", "[methods][networks]") {
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({1, 3, 256, 256});
  for (BackboneKind kind : {BackboneKind::wide_resnet50_2, BackboneKind::resnet18, BackboneKind::vgg16}) {
    auto backbone = make_backbone(kind);
    const BackboneInfo& info = backbone_info(kind);
    INFO(info.name);
    CHECK(static_cast<std::int64_t>(backbone->named_parameters().size() + backbone->named_buffers().size()) == info.tensors);
    backbone->eval();
    const auto features = backbone->features(x);
    REQUIRE(features.size() == info.feature_channels.size());
    for (std::size_t k = 0; k < features.size(); ++k) {
      CHECK(features[k].size(1) == info.feature_channels[k]);
      CHECK(features[k].size(2) == (kind == BackboneKind::vgg16 ? 64 >> k : 64 >> k));
    }
  }
}

TEST_CASE("RD's bottleneck and decoder have RD4AD's shapes and parameter counts", "[methods][networks]") {
  OneClassBottleneck bottleneck(BackboneKind::wide_resnet50_2);
  ReverseDecoder decoder(BackboneKind::wide_resnet50_2, false);
  ReverseDecoder mrkd_decoder(BackboneKind::wide_resnet50_2, true);
  CHECK(parameter_count(*bottleneck) == 67277824);      // 58,885,120 used + 8,392,704 in the unused conv4/bn4
  CHECK(parameter_count(*decoder) == 24917504);
  CHECK(parameter_count(*mrkd_decoder) == 24917504 + 24776192 + 2048 * 512);  // + FLM heads + unused conv1
  torch::NoGradGuard no_grad;
  bottleneck->eval();
  decoder->eval();
  const std::vector<torch::Tensor> f = {torch::randn({2, 256, 64, 64}), torch::randn({2, 512, 32, 32}), torch::randn({2, 1024, 16, 16})};
  const torch::Tensor embedding = bottleneck->forward(f);
  CHECK(embedding.sizes() == torch::IntArrayRef({2, 2048, 8, 8}));
  const auto levels = decoder->forward(embedding);
  for (std::size_t k = 0; k < 3; ++k) CHECK(levels[k].sizes() == f[k].sizes());
  OneClassBottleneck small(BackboneKind::resnet18);
  ReverseDecoder small_decoder(BackboneKind::resnet18, true);
  small->eval();
  small_decoder->eval();
  const std::vector<torch::Tensor> g = {torch::randn({1, 64, 32, 32}), torch::randn({1, 128, 16, 16}), torch::randn({1, 256, 8, 8})};
  const auto small_levels = small_decoder->forward(small->forward(g));
  for (std::size_t k = 0; k < 3; ++k) CHECK(small_levels[k].sizes() == g[k].sizes());
}

TEST_CASE("every registered method survives fit predict save load predict with identical results", "[methods][roundtrip]") {
  MethodRegistry registry;
  register_builtin_methods(registry);
  REQUIRE(registry.entries().size() >= 2);
  Data data(6, 1);
  const auto samples = data.test_samples(3);
  for (const auto& entry : registry.entries()) {
    INFO(entry.id);
    const std::map<std::string, std::string> quick = {{"epochs", "1"}, {"image_size", "64"}};
    auto method = fitted(registry, entry.id, quick, data, 11);
    const auto first = method->predict(samples);
    REQUIRE(first.size() == samples.size());
    for (const auto& p : first) {
      CHECK(p.anomaly_map.type() == CV_32FC1);
      CHECK(p.anomaly_map.size() == cv::Size(64, 64));
      CHECK(cv::checkRange(p.anomaly_map));
      CHECK(std::isfinite(p.score));
    }
    CHECK(same_maps(first, method->predict(samples)));  // prediction is reproducible (MRKD's FLM too)
    method->save(data.dir / entry.id);
    auto reloaded = registry.create(entry.id, registry.resolve(entry.id, "tiny", quick));
    reloaded->load(data.dir / entry.id, "cpu");
    CHECK(same_maps(first, reloaded->predict(samples)));
    CHECK(same_maps(first, fitted(registry, entry.id, quick, data, 11)->predict(samples)));  // same seed, same model
    CHECK_FALSE(same_maps(first, fitted(registry, entry.id, quick, data, 12)->predict(samples)));
    auto other = registry.create(entry.id, registry.resolve(entry.id, "tiny", {{"epochs", "2"}, {"image_size", "64"}}));
    CHECK_THROWS_WITH(other->load(data.dir / entry.id, "cpu"), Contains("checkpoint.json") && Contains("options"));
  }
}

// Image and pixel AU-ROC of a fitted method on the selected category's test images.
std::pair<double, double> learned(Method& method, const Data& data) {
  std::vector<std::pair<float, bool>> scores, pixels;
  for (const auto& ref : data.split.test) {
    const Sample sample = data.dataset->load(ref);
    const Prediction p = method.predict({sample}).front();
    scores.emplace_back(p.score, sample.label == Label::anomalous);
    cv::Mat map = p.anomaly_map;  // at the method's resolution; scored at the image's, as the runner does
    if (map.size() != sample.image.size()) cv::resize(p.anomaly_map, map, sample.image.size(), 0, 0, cv::INTER_LINEAR);
    for (int y = 0; y < map.rows; ++y) {
      for (int x = 0; x < map.cols; ++x) {
        pixels.emplace_back(map.at<float>(y, x), !sample.mask.empty() && sample.mask.at<uchar>(y, x) != 0);
      }
    }
  }
  return {image_auroc(scores), pixel_auroc(pixels)};
}

// Whether a method learned, over every generated category: mean pixel AU-ROC > 0.75 with every
// category > 0.65. Random pixel scores sit at 0.5 with a spread far below 0.01 at 128×128 px, so
// these criteria cannot be met by chance; the control (lr 1e-12) stays far below them. Image
// AU-ROC is printed, not gated: with 8 normal and 12 anomalous images per category it is noise at
// this size. Measured with seed 0 (trained / lr 1e-12), image then pixel: on an AVX2 CPU RD
// 0.64 / 0.45, 0.89 / 0.40 and MRKD 0.64 / 0.52, 0.86 / 0.47; on an AVX-512 CPU RD 0.56 / 0.55,
// 0.86 / 0.47, MRKD 0.60 / 0.60, 0.85 / 0.47, MKD 0.72 / 0.41, 0.86 / 0.63, ADPS 0.81 / 0.40,
// 0.87 / 0.50: the image values flip with the CPU's rounding, the pixel values do not.
struct Learning {
  double image = 0, pixel = 0, worst_pixel = 1;
  bool passes() const { return pixel > 0.75 && worst_pixel > 0.65; }
};

Learning learning_over(const MethodRegistry& registry, const std::string& id, const std::map<std::string, std::string>& options,
                       Data& data, const std::vector<std::string>& categories) {
  Learning l;
  for (const auto& category : categories) {
    data.select(category);
    auto method = fitted(registry, id, options, data, 0);
    const auto [image, pixel] = learned(*method, data);
    UNSCOPED_INFO(id << " " << category << ": image AU-ROC " << image << ", pixel AU-ROC " << pixel);
    l.image += image / static_cast<double>(categories.size());
    l.pixel += pixel / static_cast<double>(categories.size());
    l.worst_pixel = std::min(l.worst_pixel, pixel);
  }
  return l;
}

void check_learning(const std::string& id, const std::map<std::string, std::string>& options = {}) {
  MethodRegistry registry;
  register_builtin_methods(registry);
  const std::vector<std::string> categories = {"weave", "speckle", "disc"};
  Data data(16, 3, categories);
  const Learning trained = learning_over(registry, id, options, data, categories);
  INFO("trained: image " << trained.image << ", pixel " << trained.pixel << " (worst " << trained.worst_pixel << ")");
  CHECK(trained.passes());
  // The control: same data and seed with a learning rate of about zero (one epoch suffices: the
  // weights do not move) must fail the same criteria, or they would not show learning.
  std::map<std::string, std::string> frozen = options;
  frozen["lr"] = "1e-12";
  frozen["epochs"] = "1";
  const Learning untrained = learning_over(registry, id, frozen, data, categories);
  INFO("untrained: image " << untrained.image << ", pixel " << untrained.pixel << " (worst " << untrained.worst_pixel << ")");
  CHECK_FALSE(untrained.passes());
}

// One test case, methods one after another: as separate ctest entries run side by side, their
// OpenMP threads oversubscribe the 2 cores and each takes several times longer.
TEST_CASE("every method learns: anomalous generated images score above normal ones", "[methods][learning]") {
  SECTION("rd") { check_learning("rd"); }
  SECTION("mrkd") { check_learning("mrkd"); }
  // MKD's map is the score's input gradient (vanilla gradients in the tiny preset).
  SECTION("mkd") { check_learning("mkd"); }
  // ADPS's map is its segmentation module's anomaly probability, trained on DRAEM anomalies; at
  // 64 px (32-px tiles) for 100 epochs to keep it about a minute long.
  SECTION("adps") { check_learning("adps", {{"image_size", "64"}, {"epochs", "100"}}); }
}

TEST_CASE("out-of-range RD, MRKD, MKD and ADPS options are refused as config errors naming the option", "[methods][options]") {
  MethodRegistry registry;
  register_builtin_methods(registry);
  const std::vector<std::array<std::string, 3>> cases = {
      {"rd", "image_size", "100"}, {"rd", "epochs", "0"},      {"rd", "batch_size", "0"},   {"rd", "lr", "0"},
      {"rd", "beta1", "1"},        {"mrkd", "beta2", "-0.1"}, {"mrkd", "sigma", "-1"},     {"mrkd", "mask_ratio", "1"},
      {"rd", "backbone", "vgg16"}, {"rd", "pretrained", "maybe"},
      {"mkd", "image_size", "48"},   {"mkd", "resize_size", "32"}, {"mkd", "normalize", "zscore"}, {"mkd", "cloner", "huge"},
      {"mkd", "lambda", "-0.5"},     {"mkd", "localization", "cam"}, {"mkd", "smoothgrad_samples", "0"},
      {"mkd", "smoothgrad_noise", "-1"}, {"mkd", "epochs", "0"},   {"mkd", "lr", "0"},
      {"adps", "tiles", "0"},        {"adps", "image_size", "96"}, {"adps", "mask_downsample", "area"},
      {"adps", "focal_gamma", "-1"}, {"adps", "backbone", "vgg16"}, {"adps", "segmentation_weight", "-2"}};
  for (const auto& [id, name, value] : cases) {
    INFO(id << " " << name << "=" << value);
    const MethodOptions options = registry.resolve(id, "tiny", {{name, value}});
    CHECK_THROWS_AS(registry.create(id, options), ConfigError);
    CHECK_THROWS_WITH(registry.create(id, options), Contains(value));
  }
  CHECK_NOTHROW(registry.create("mrkd", registry.resolve("mrkd", "tiny", {{"sigma", "0"}, {"mask_ratio", "0"}})));
}

TEST_CASE("a device this machine cannot use is refused by name before anything runs", "[methods][device]") {
  MethodRegistry registry;
  register_builtin_methods(registry);
  CHECK_NOTHROW(registry.check_device("cpu"));
  // No machine has 100 GPUs: refused with or without CUDA, and the message names the device.
  CHECK_THROWS_AS(registry.check_device("cuda:99"), ConfigError);
  CHECK_THROWS_WITH(registry.check_device("cuda:99"), Contains("cuda:99"));
  if (torch::cuda::is_available()) {
    CHECK_NOTHROW(registry.check_device("cuda:0"));
  } else {
    CHECK_THROWS_WITH(registry.check_device("cuda"), Contains("no CUDA"));
  }
}

TEST_CASE("a save that fails midway leaves the previous checkpoint loadable with its values", "[methods][checkpoint]") {
  test::TempDir dir;
  const fs::path folder = dir / "cell";
  const CheckpointHeader header{"toy", 1, "a=1", 7, "none"};
  auto first = std::make_shared<torch::nn::LinearImpl>(3, 2);
  write_checkpoint(folder, header, {{"a_head", first}});
  // The second save writes a_head.pt, then fails on a module whose file cannot be created.
  auto second = std::make_shared<torch::nn::LinearImpl>(3, 2);
  auto unwritable = std::make_shared<torch::nn::LinearImpl>(3, 2);
  REQUIRE_FALSE(torch::equal(first->weight, second->weight));
  CHECK_THROWS_AS(write_checkpoint(folder, header, {{"a_head", second}, {"z/no-such-folder/b", unwritable}}), IoError);
  auto loaded = std::make_shared<torch::nn::LinearImpl>(3, 2);
  CHECK(read_checkpoint(folder, header, {{"a_head", loaded}}).seed == 7);
  CHECK(torch::equal(loaded->weight, first->weight));
  CHECK(torch::equal(loaded->bias, first->bias));
  CHECK_FALSE(fs::exists(folder.string() + ".partial"));
}

TEST_CASE("an image's prediction does not depend on the batch it is predicted in or its place", "[methods][roundtrip]") {
  MethodRegistry registry;
  register_builtin_methods(registry);
  Data data(6, 1);
  const auto samples = data.test_samples(5);
  REQUIRE(samples.size() == 5);
  for (const std::string id : {"rd", "mrkd", "mkd"}) {
    INFO(id);
    auto method = fitted(registry, id, {{"epochs", "1"}, {"image_size", "64"}}, data, 3);
    const auto batch = method->predict(samples);
    REQUIRE(batch.size() == samples.size());
    for (const std::size_t i : {std::size_t{0}, std::size_t{3}}) {
      INFO("image " << i);
      const auto alone = method->predict({samples[i]});
      REQUIRE(alone.size() == 1);
      // Kernels differ with the batch size, so the last float bits may (measured: ≤ 2.3e-7 of the
      // map's maximum); MRKD's test-time masks must not (another mask moves the map by ~1e-1).
      CHECK(relative_difference(alone[0], batch[i]) < 1e-5);
    }
    const auto reordered = method->predict({samples[4], samples[2], samples[0]});
    REQUIRE(reordered.size() == 3);
    CHECK(relative_difference(reordered[0], batch[4]) < 1e-5);
    CHECK(relative_difference(reordered[1], batch[2]) < 1e-5);
    CHECK(relative_difference(reordered[2], batch[0]) < 1e-5);
  }
}

TEST_CASE("checkpoints are replaced whole and unreadable module files are named", "[methods][checkpoint]") {
  test::TempDir dir;
  const fs::path folder = dir / "cell";
  const CheckpointHeader header{"toy", 1, "a=1", 7, "none"};
  auto first = std::make_shared<torch::nn::LinearImpl>(3, 2);
  write_checkpoint(folder, header, {{"head", first}});
  auto second = std::make_shared<torch::nn::LinearImpl>(3, 2);
  write_checkpoint(folder, header, {{"head", second}});
  CHECK_FALSE(fs::exists(folder.string() + ".partial"));
  CHECK_FALSE(fs::exists(folder.string() + ".previous"));

  auto loaded = std::make_shared<torch::nn::LinearImpl>(3, 2);
  CHECK(read_checkpoint(folder, header, {{"head", loaded}}).seed == 7);
  CHECK(torch::equal(loaded->weight, second->weight));

  { std::ofstream(folder / "head.pt", std::ios::trunc) << "not a torch archive"; }
  CHECK_THROWS_AS(read_checkpoint(folder, header, {{"head", loaded}}), DataError);
  CHECK_THROWS_WITH(read_checkpoint(folder, header, {{"head", loaded}}), Contains("head.pt"));
  { std::ofstream(folder / "checkpoint.json", std::ios::trunc) << R"({"method": 3})"; }
  CHECK_THROWS_WITH(read_checkpoint(folder, header, {{"head", loaded}}), Contains("checkpoint.json"));
}
