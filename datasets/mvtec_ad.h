// Readers of the MVTec-style layout <root>/<category>/{train/<good>, test/<defect>,
// ground_truth/<defect>}: MVTec AD itself, MPDD and BTAD, which differ in naming only.
#pragma once

#include "datasets/dataset.h"

#include <string>
#include <vector>

namespace kdad::datasets {

/// How one MVTec-style dataset names its folders and masks.
struct MvtecLayout {
  std::string format = "mvtec_ad";
  std::string good = "good";  ///< folder of normal images in train/ and test/ ("ok" for BTAD)
  /// Mask stems tried in order for test/<defect>/<stem>.<ext>: ground_truth/<defect>/<stem><suffix>
  /// with any image extension.
  std::vector<std::string> mask_suffixes = {"_mask"};
};

MvtecLayout mvtec_ad_layout();  ///< good, <stem>_mask.png
MvtecLayout mpdd_layout();      ///< good, <stem>_mask.png or <stem>.png
MvtecLayout btad_layout();      ///< ok/ko folders, masks <stem>.png or .bmp (images .bmp or .png)

/// An MVTec-style dataset. Masks are binarised (non-zero = defect) at native resolution. A
/// category is a folder holding train/ or test/ (one without the other is a problem of split()).
class MvtecAd final : public Dataset {
 public:
  /// Throws DataError when `root` is not a folder.
  explicit MvtecAd(std::filesystem::path root, MvtecLayout layout = mvtec_ad_layout());

  std::string format() const override { return layout_.format; }
  std::filesystem::path root() const override { return root_; }
  std::vector<std::string> categories() const override;
  /// Problems: unknown category (listing the known ones), missing train/, train/<good> or test/
  /// folder, empty split, a defect image without its mask, a mask without its image, a mask with
  /// defect pixels under ground_truth/<good>.
  CategorySplit split(const std::string& category, ProblemSink* sink = nullptr) const override;

 private:
  // Masks under `ground_truth` that no test image claims, and non-empty masks of normal images.
  void check_ground_truth_files(const std::filesystem::path& ground_truth, const std::vector<SampleRef>& test,
                                ProblemSink* sink) const;
  // "000" for ground_truth/<defect>/000_mask.png: the image stem a mask belongs to.
  std::string image_stem_of_mask(const std::filesystem::path& mask) const;

  std::filesystem::path root_;
  MvtecLayout layout_;
};

/// The mask of test image `image` of `defect`, trying the layout's suffixes and image extensions;
/// empty when none exists.
std::filesystem::path find_mask(const std::filesystem::path& mask_folder, const std::filesystem::path& image,
                                const std::vector<std::string>& suffixes);

}  // namespace kdad::datasets
