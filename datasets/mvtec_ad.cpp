// The MVTec AD reader.
#include "datasets/mvtec_ad.h"

#include "core/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

bool is_image_extension(std::string ext) {
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> kImage = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"};
  return kImage.count(ext) > 0;
}

std::vector<fs::path> sorted_subfolders(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_directory()) out.push_back(entry.path());
  }
  if (ec) throw DataError(folder.string(), "cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string relative_id(const fs::path& root, const fs::path& file) {
  return fs::relative(file, root).replace_extension().generic_string();
}

}  // namespace

std::vector<fs::path> list_image_files(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && is_image_extension(entry.path().extension().string())) {
      out.push_back(entry.path());
    }
  }
  if (ec) throw DataError(folder.string(), "cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

MvtecAd::MvtecAd(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) throw DataError(root_.string(), "dataset root is not a folder");
}

std::vector<std::string> MvtecAd::categories() const {
  std::vector<std::string> names;
  for (const auto& folder : sorted_subfolders(root_)) {
    std::error_code ec;
    if (fs::is_directory(folder / "train", ec) && fs::is_directory(folder / "test", ec)) {
      names.push_back(folder.filename().string());
    }
  }
  return names;
}

CategorySplit MvtecAd::split(const std::string& category) const {
  const fs::path base = root_ / category;
  std::error_code ec;
  if (!fs::is_directory(base, ec)) {
    throw DataError(base.string(), fmt::format("no such category; categories under {} are: {}",
                                               root_.string(), fmt::join(categories(), ", ")));
  }
  const fs::path train_good = base / "train" / "good";
  if (!fs::is_directory(train_good, ec)) throw DataError(train_good.string(), "missing train/good folder");
  const fs::path test = base / "test";
  if (!fs::is_directory(test, ec)) throw DataError(test.string(), "missing test folder");

  CategorySplit split;
  split.category = category;
  for (const auto& file : list_image_files(train_good)) {
    split.train.push_back({file, {}, Label::normal, "good", category, relative_id(root_, file)});
  }
  if (split.train.empty()) throw DataError(train_good.string(), "no training images");

  for (const auto& defect_folder : sorted_subfolders(test)) {
    const std::string defect = defect_folder.filename().string();
    const bool good = defect == "good";
    for (const auto& file : list_image_files(defect_folder)) {
      SampleRef ref{file, {}, good ? Label::normal : Label::anomalous, defect, category,
                    relative_id(root_, file)};
      if (!good) {
        ref.mask = base / "ground_truth" / defect / (file.stem().string() + "_mask.png");
        if (!fs::is_regular_file(ref.mask, ec)) {
          throw DataError(ref.mask.string(), fmt::format("missing ground-truth mask for {}", file.string()));
        }
      }
      split.test.push_back(std::move(ref));
    }
  }
  if (split.test.empty()) throw DataError(test.string(), "no test images");
  return split;
}

}  // namespace kdad::datasets
