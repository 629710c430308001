// The MVTec AD reader: <root>/<category>/{train/good, test/<defect>, ground_truth/<defect>}.
#pragma once

#include "datasets/dataset.h"

namespace kdad::datasets {

/// MVTec AD as distributed: train/good/*.png, test/<defect>/*.png (good = normal),
/// ground_truth/<defect>/<stem>_mask.png for every non-good test image. Masks are binarised
/// (non-zero = defect) at native resolution. A category is a folder holding train/ and test/.
class MvtecAd final : public Dataset {
 public:
  /// Throws DataError when `root` is not a folder.
  explicit MvtecAd(std::filesystem::path root);

  std::string format() const override { return "mvtec_ad"; }
  std::filesystem::path root() const override { return root_; }
  std::vector<std::string> categories() const override;
  /// Throws DataError for an unknown category (listing the known ones), a missing train/good or
  /// test folder, an empty split, or a defect image without its mask.
  CategorySplit split(const std::string& category) const override;

 private:
  std::filesystem::path root_;
};

/// Image files of a folder (png, jpg, jpeg, bmp, tif, tiff; any case), sorted by file name.
std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& folder);

}  // namespace kdad::datasets
