// The MVTec AD 2 reader: train/good, validation/good, test_public/{good,bad,ground_truth/bad}, and
// the private test sets without ground truth (test_private, test_private_mixed).
#pragma once

#include "datasets/dataset.h"

#include <cstddef>
#include <optional>
#include <string>

namespace kdad::datasets {

/// MVTec AD 2 as published. The public test split is scored; the private test images are listed
/// as `unlabelled` (predicted and exported for the evaluation server, never scored). Masks are
/// ground_truth/bad/<stem>_mask.png (or <stem>.png), binarised.
class MvtecAd2 final : public Dataset {
 public:
  explicit MvtecAd2(std::filesystem::path root);

  std::string format() const override { return "mvtec_ad2"; }
  std::filesystem::path root() const override { return root_; }
  std::vector<std::string> categories() const override;
  CategorySplit split(const std::string& category, ProblemSink* sink = nullptr) const override;

 private:
  std::filesystem::path root_;
};

/// The number of images MVTec AD 2's evaluation server expects for `object` in each of
/// test_private and test_private_mixed (its checker's table: can 321, fabric 314, fruit_jelly 255,
/// rice 277, sheet_metal 142, vial 276, wallplugs 232, walnuts 228); empty for another name.
std::optional<std::size_t> mvtec_ad2_private_images(const std::string& object);

}  // namespace kdad::datasets
