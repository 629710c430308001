// The Dataset interface every reader implements, and the sample descriptors it hands out.
#pragma once

#include "core/sample.h"

#include <filesystem>
#include <string>
#include <vector>

namespace kdad::datasets {

/// Where one sample lives on disk; loading is separate so listing a dataset stays cheap.
struct SampleRef {
  std::filesystem::path image;  ///< absolute or root-relative image file
  std::filesystem::path mask;   ///< ground-truth mask file; empty = no defect pixel
  Label label = Label::normal;
  std::string defect_type;      ///< "good" for normal images
  std::string category;
  std::string id;               ///< path relative to the dataset root, without extension
};

/// The train and test samples of one category, in a stable order (sorted by id).
struct CategorySplit {
  std::string category;
  std::vector<SampleRef> train;  ///< normal training images only
  std::vector<SampleRef> test;
};

/// A dataset in one published layout.
class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Format id, e.g. "mvtec_ad".
  virtual std::string format() const = 0;
  virtual std::filesystem::path root() const = 0;
  /// Category names in sorted order.
  virtual std::vector<std::string> categories() const = 0;
  /// Lists one category; throws DataError naming the file or folder at fault.
  virtual CategorySplit split(const std::string& category) const = 0;
};

/// Loads the image and binarised mask of a sample; throws DataError when the image is unreadable,
/// the mask is missing, or their sizes differ.
Sample load_sample(const SampleRef& ref);

}  // namespace kdad::datasets
