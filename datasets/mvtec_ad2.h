// The MVTec AD 2 reader: train/good, validation/good, test_public/{good,bad,ground_truth/bad}, and
// the private test sets without ground truth (test_private, test_private_mixed).
#pragma once

#include "datasets/dataset.h"

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

}  // namespace kdad::datasets
