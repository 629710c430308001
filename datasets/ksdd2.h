// The KolektorSDD2 reader: train/ and test/ with NNNNN.png images and NNNNN_GT.png masks.
#pragma once

#include "datasets/dataset.h"

namespace kdad::datasets {

/// KolektorSDD2 as published: one category "ksdd2"; positives and negatives share each folder
/// and the label comes from the mask (any non-zero pixel ⇒ defective). For one-class training only
/// the defect-free train images are used; the test split keeps every test image.
class Ksdd2 final : public Dataset {
 public:
  /// `threads`: workers for reading the masks that decide the labels.
  explicit Ksdd2(std::filesystem::path root, int threads = 1);

  std::string format() const override { return "ksdd2"; }
  std::filesystem::path root() const override { return root_; }
  std::vector<std::string> categories() const override { return {"ksdd2"}; }
  CategorySplit split(const std::string& category, ProblemSink* sink = nullptr) const override;
  std::filesystem::path category_folder(const std::string&) const override { return root_; }

 private:
  std::filesystem::path root_;
  int threads_;
};

}  // namespace kdad::datasets
