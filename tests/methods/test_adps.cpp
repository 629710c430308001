// ADPS's parts: tiles split and stitched back in place, the Weight Mask Block, the segmentation
// module's shapes, the two losses on cases with known values, and the student's stitched
// features matching the teacher's shapes.
#include "methods/adps/adps.h"
#include "methods/adps/networks.h"
#include "methods/builtin.h"
#include "methods/common/backbones.h"

#include <catch2/catch.hpp>
#include <torch/nn.h>

#include <cmath>

using namespace kdad;
using namespace kdad::methods;

TEST_CASE("ADPS tiles are the image's k×k blocks and stitch back in place", "[methods][adps]") {
  const torch::Tensor x = torch::randn({2, 3, 64, 96});
  const torch::Tensor tiles = split_tiles(x, 4);
  REQUIRE(tiles.sizes().vec() == std::vector<std::int64_t>{32, 3, 16, 24});
  // Image 1, tile row 2, column 3 is tile 16 + 2·4 + 3 = 27.
  CHECK(torch::equal(tiles[27], x[1].slice(1, 32, 48).slice(2, 72, 96)));
  CHECK(torch::equal(stitch_tiles(tiles, 4), x));
}

TEST_CASE("the Weight Mask Block keeps the teacher where the student disagrees", "[methods][adps]") {
  const torch::Tensor t = torch::randn({1, 8, 4, 4});
  CHECK(weight_mask_block(t, t).abs().max().item<float>() < 1e-6f);  // agreement: nothing passes
  CHECK(torch::allclose(weight_mask_block(t, -t), 2 * t));           // opposite: (1 − (−1))·T
  torch::Tensor s = t.clone();
  s.select(2, 1).select(2, 2).neg_();  // disagree at one position only
  const torch::Tensor c = weight_mask_block(t, s);
  CHECK(torch::allclose(c.select(2, 1).select(2, 2), 2 * t.select(2, 1).select(2, 2)));
  CHECK(c.select(2, 0).abs().max().item<float>() < 1e-6f);
}

TEST_CASE("ADPS's student on tiles stitches to the teacher's shapes and the module segments at full size", "[methods][adps][networks]") {
  torch::NoGradGuard no_grad;
  for (const BackboneKind kind : {BackboneKind::resnet18, BackboneKind::wide_resnet50_2}) {
    const auto backbone = make_backbone(kind);
    backbone->eval();
    const torch::Tensor x = torch::randn({1, 3, 256, 256});
    const auto teacher = backbone->features(x);
    const auto tile_features = backbone->features(split_tiles(x, 8));
    REQUIRE(teacher.size() == 3);
    std::vector<torch::Tensor> masked;
    for (std::size_t k = 0; k < 3; ++k) {
      const torch::Tensor stitched = stitch_tiles(tile_features[k], 8);
      CHECK(stitched.sizes() == teacher[k].sizes());  // 64×64, 32×32, 16×16 at 256 px
      masked.push_back(weight_mask_block(teacher[k], stitched));
    }
    PostSegmentation module(backbone_info(kind).feature_channels);
    module->eval();
    CHECK(module->forward(masked).sizes().vec() == std::vector<std::int64_t>{1, 2, 256, 256});
  }
}

TEST_CASE("ADPS's distillation and focal losses have their defining values", "[methods][adps]") {
  const std::vector<torch::Tensor> t = {torch::randn({2, 4, 8, 8}), torch::randn({2, 4, 4, 4})};
  const torch::Tensor normal = torch::zeros({2, 1, 32, 32}), anomalous = torch::ones({2, 1, 32, 32});
  // Same features: nothing to pull together on normal positions; everything to push apart on anomalies.
  CHECK(adps_distillation_loss(t, t, normal, MaskDownsample::max_pool).item<double>() == Approx(0).margin(1e-6));
  CHECK(adps_distillation_loss(t, t, anomalous, MaskDownsample::nearest).item<double>() == Approx(2.0).epsilon(1e-6));
  // A one-pixel defect marks its position at every level with max-pooling, and nowhere with nearest.
  torch::Tensor dot = torch::zeros({2, 1, 32, 32});
  dot.index_put_({torch::indexing::Slice(), 0, 1, 1}, 1.0);
  CHECK(adps_distillation_loss(t, t, dot, MaskDownsample::max_pool).item<double>() == Approx(1.0 / 64 + 1.0 / 16).epsilon(1e-6));
  CHECK(adps_distillation_loss(t, t, dot, MaskDownsample::nearest).item<double>() == Approx(0).margin(1e-6));
  // Focal loss: p = softmax(0, log 3) = (1/4, 3/4) everywhere, all pixels anomalous:
  // pt = 3/4·(1 − 1e-5) + 1/4·1e-5 + 1e-5, loss = −(1 − pt)²·log(pt).
  torch::Tensor logits = torch::zeros({1, 2, 4, 4});
  logits.select(1, 1).fill_(std::log(3.0));
  const double pt = 0.75 * (1 - 1e-5) + 0.25 * 1e-5 + 1e-5;
  CHECK(focal_loss(logits, torch::ones({1, 1, 4, 4}), 2.0).item<double>() == Approx(-(1 - pt) * (1 - pt) * std::log(pt)).epsilon(1e-5));
  CHECK(focal_loss(logits, torch::ones({1, 1, 4, 4}), 0.0).item<double>() == Approx(-std::log(pt)).epsilon(1e-5));
}
