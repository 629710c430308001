// A generic layout for users' own data: normal/, anomalous/ and optional masks/ folders.
#pragma once

#include "datasets/dataset.h"

namespace kdad::datasets {

/// <root>[/<category>]/normal/*      normal images
/// <root>[/<category>]/anomalous/*   anomalous images (test only)
/// <root>[/<category>]/masks/*       optional masks named <stem>.png or <stem>_mask.png
/// <root>[/<category>]/normal_test/* optional explicit normal test images
/// When `root` itself holds normal/, it is one category named after the folder; otherwise every
/// subfolder holding normal/ is a category. Without normal_test/, a fixed 20 % of normal/ (chosen
/// by a hash of each file name, so it does not depend on listing order) goes to the test split.
/// Anomalous images without a mask are image-level only (no pixel ground truth for them).
class FolderLayout final : public Dataset {
 public:
  explicit FolderLayout(std::filesystem::path root);

  std::string format() const override { return "folder"; }
  std::filesystem::path root() const override { return root_; }
  std::vector<std::string> categories() const override;
  CategorySplit split(const std::string& category, ProblemSink* sink = nullptr) const override;
  std::filesystem::path category_folder(const std::string& category) const override;

 private:
  bool single_category() const;
  std::filesystem::path root_;
};

}  // namespace kdad::datasets
