// Reading PyTorch files and matching torchvision: state dicts written by Debian's python3-torch
// (zip and legacy formats, RD4AD-style nested checkpoints) load key for key and give the same
// features; SciPy's gaussian_filter is reproduced; missing weights are named with their URL.
#include "core/error.h"
#include "methods/common/backbones.h"
#include "methods/common/gaussian.h"
#include "methods/common/state_dict.h"
#include "methods/common/weights.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <torch/nn.h>

#include <cstdlib>
#include <fstream>
#include <map>

using namespace kdad;
using namespace kdad::methods;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Runs tests/data/torch_reference.py once per test; false (test skipped) when python3-torch is
// not installed, a failure for any other problem.
bool make_reference(const fs::path& folder) { return test::run_reference_script("torch_reference.py", {folder.string()}); }

// Every parameter and buffer of the loaded model equals, exactly and by name, the tensor Python
// saved (tensors.txt / tensors.f64): the reference randomised all of them, batch-norm running
// statistics and counters included, so a skipped, swapped or defaulted tensor shows here.
void check_every_tensor(torch::nn::Module& model, const fs::path& folder) {
  std::map<std::string, torch::Tensor> ours;
  for (const auto& item : model.named_parameters()) ours[item.key()] = item.value();
  for (const auto& item : model.named_buffers()) ours[item.key()] = item.value();
  const auto values = test::read_raw<double>(folder / "tensors.f64");
  std::ifstream names(folder / "tensors.txt");
  std::string name;
  std::size_t count = 0, offset = 0, tensors = 0;
  while (names >> name >> count) {
    INFO(name);
    ++tensors;
    REQUIRE(ours.count(name) == 1);
    const torch::Tensor flat = ours.at(name).detach().to(torch::kDouble).contiguous().view(-1);
    REQUIRE(static_cast<std::size_t>(flat.numel()) == count);
    REQUIRE(offset + count <= values.size());
    std::size_t different = 0;
    for (std::size_t i = 0; i < count; ++i) different += flat.data_ptr<double>()[i] != values[offset + i] ? 1 : 0;
    CHECK(different == 0);
    offset += count;
  }
  CHECK(tensors == ours.size());
  CHECK(offset == values.size());
}

}  // namespace

TEST_CASE("state dicts saved by python3-torch load key for key and give torchvision's features", "[methods][weights]") {
  test::TempDir dir;
  if (!make_reference(dir.path())) return;
  const auto input = test::read_raw<float>(dir / "input.f32");
  const auto expected = test::read_raw<float>(dir / "features.f32");
  for (const char* file : {"resnet18_zip.pth", "resnet18_legacy.pth"}) {
    INFO(file);
    const StateDict state = read_state_dict(dir / file);
    CHECK(state.size() == backbone_info(BackboneKind::resnet18).tensors);
    CHECK(state.front().first == "conv1.weight");
    auto model = make_backbone(BackboneKind::resnet18);
    load_into(*model, state, file);
    model->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(input.data()), {1, 3, 64, 64}).clone();
    std::vector<float> ours;
    for (const auto& f : model->features(x)) {
      const torch::Tensor flat = f.contiguous().view(-1);
      ours.insert(ours.end(), flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    }
    REQUIRE(ours.size() == expected.size());
    double max_abs = 0, max_diff = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      max_abs = std::max(max_abs, static_cast<double>(std::fabs(expected[i])));
      max_diff = std::max(max_diff, static_cast<double>(std::fabs(ours[i] - expected[i])));
    }
    CHECK(max_diff / max_abs < 1e-5);
    check_every_tensor(*model, dir.path());
  }
  const StateDict nested = read_state_dict(dir / "rd_checkpoint.pth");
  std::vector<std::string> names;
  for (const auto& [name, tensor] : nested) names.push_back(name);
  CHECK(names == std::vector<std::string>{"bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                                          "bn.num_batches_tracked", "decoder.weight", "decoder.bias"});
}

TEST_CASE("SciPy's gaussian_filter with sigma 4 and reflect borders is reproduced", "[methods][weights]") {
  test::TempDir dir;
  if (!make_reference(dir.path())) return;
  const auto in = test::read_raw<double>(dir / "gaussian_in.f64");
  const auto expected = test::read_raw<double>(dir / "gaussian_out.f64");
  cv::Mat map(37, 53, CV_64F, const_cast<double*>(in.data()));
  cv::Mat as_float;
  map.convertTo(as_float, CV_32F);
  const cv::Mat ours = scipy_gaussian_filter(as_float, 4.0);
  double worst = 0;
  for (int i = 0; i < 37 * 53; ++i) worst = std::max(worst, std::fabs(ours.at<float>(i / 53, i % 53) - expected[static_cast<std::size_t>(i)]));
  CHECK(worst < 1e-6);  // float32 input and output; the filter itself runs in double
}

TEST_CASE("a state dict that does not fit the network is refused with the tensor named", "[methods][weights]") {
  auto model = make_backbone(BackboneKind::resnet18);
  StateDict state;
  for (const auto& item : model->named_parameters()) state.emplace_back(item.key(), item.value().detach().clone());
  for (const auto& item : model->named_buffers()) state.emplace_back(item.key(), item.value().detach().clone());
  CHECK_NOTHROW(load_into(*model, state, "ok.pth"));
  StateDict wrong_shape = state;
  wrong_shape[0].second = torch::zeros({1});
  CHECK_THROWS_WITH(load_into(*model, wrong_shape, "bad.pth"), Contains("bad.pth") && Contains("conv1.weight") && Contains("shape"));
  StateDict missing(state.begin() + 1, state.end());
  CHECK_THROWS_WITH(load_into(*model, missing, "short.pth"), Contains("conv1.weight") && Contains("missing"));
  StateDict extra = state;
  extra.emplace_back("head.weight", torch::zeros({2}));
  CHECK_THROWS_WITH(load_into(*model, extra, "extra.pth"), Contains("head.weight"));
}

TEST_CASE("missing torchvision weights are named with the folders searched and the URL", "[methods][weights]") {
  test::TempDir dir;
  setenv("TORCH_HOME", (dir / "torch").c_str(), 1);
  CHECK_THROWS_WITH(find_weights(backbone_info("wide_resnet50_2"), dir / "weights"),
                    Contains("wide_resnet50_2-95faca4d.pth") && Contains("https://download.pytorch.org/models/") &&
                        Contains("pretrained = none"));
  fs::create_directories(dir / "torch" / "hub" / "checkpoints");
  std::ofstream(dir / "torch" / "hub" / "checkpoints" / "resnet18-f37072fd.pth") << "x";
  CHECK(find_weights(backbone_info("resnet18"), dir / "weights").filename() == "resnet18-f37072fd.pth");
  CHECK_THROWS_AS(read_state_dict(dir / "torch" / "hub" / "checkpoints" / "resnet18-f37072fd.pth"), DataError);
  unsetenv("TORCH_HOME");
}
