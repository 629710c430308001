// Readers of the MVTec-style layout (MVTec AD, MPDD, BTAD).
#include "datasets/mvtec_ad.h"

#include "core/error.h"
#include "datasets/image_io.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <opencv2/core.hpp>

#include <set>

namespace kdad::datasets {
namespace fs = std::filesystem;

MvtecLayout mvtec_ad_layout() { return {}; }

MvtecLayout mpdd_layout() { return {"mpdd", "good", {"_mask", ""}}; }

MvtecLayout btad_layout() { return {"btad", "ok", {"", "_mask"}}; }

fs::path find_mask(const fs::path& mask_folder, const fs::path& image, const std::vector<std::string>& suffixes) {
  static const char* const kExtensions[] = {".png", ".bmp", ".PNG", ".BMP", ".jpg", ".tif", ".tiff"};
  std::error_code ec;
  for (const auto& suffix : suffixes) {
    for (const char* ext : kExtensions) {
      fs::path candidate = mask_folder / (image.stem().string() + suffix + ext);
      if (fs::is_regular_file(candidate, ec)) return candidate;
    }
  }
  return {};
}

MvtecAd::MvtecAd(fs::path root, MvtecLayout layout) : root_(std::move(root)), layout_(std::move(layout)) {
  require_root_folder(root_);
}

std::vector<std::string> MvtecAd::categories() const { return category_folders(root_, {"train", "test"}); }

CategorySplit MvtecAd::split(const std::string& category, ProblemSink* sink) const {
  require_category(category, categories(), root_.string());
  const fs::path base = root_ / category;
  std::error_code ec;
  CategorySplit split;
  split.category = category;
  const fs::path train_good = base / "train" / layout_.good;
  if (require_folder(sink, base / "train") && require_folder(sink, train_good)) {
    for (const auto& file : list_image_files(train_good)) {
      split.train.push_back({file, {}, -1, Label::normal, true, layout_.good, category, relative_id(root_, file)});
    }
    if (split.train.empty()) report_problem(sink, train_good.string(), "no training images");
  }
  const fs::path test = base / "test";
  if (!require_folder(sink, test)) return split;
  for (const auto& defect_folder : sorted_subfolders(test)) {
    const std::string defect = defect_folder.filename().string();
    const bool good = defect == layout_.good;
    for (const auto& file : list_image_files(defect_folder)) {
      SampleRef ref{file, {}, -1, good ? Label::normal : Label::anomalous, true, defect, category,
                    relative_id(root_, file)};
      if (!good) {
        ref.mask = find_mask(base / "ground_truth" / defect, file, layout_.mask_suffixes);
        if (ref.mask.empty()) {
          const fs::path expected = base / "ground_truth" / defect / (file.stem().string() + layout_.mask_suffixes.front() + ".png");
          report_problem(sink, expected.string(), fmt::format("missing ground-truth mask for {}", file.string()), file);
          continue;
        }
      }
      split.test.push_back(std::move(ref));
    }
  }
  if (split.test.empty()) report_problem(sink, test.string(), "no test images");
  check_ground_truth_files(base / "ground_truth", split.test, sink);
  return split;
}

void MvtecAd::check_ground_truth_files(const fs::path& ground_truth, const std::vector<SampleRef>& test, ProblemSink* sink) const {
  std::error_code ec;
  if (!fs::is_directory(ground_truth, ec)) return;
  std::set<fs::path> claimed;
  for (const auto& ref : test) {
    if (!ref.mask.empty()) claimed.insert(ref.mask.lexically_normal());
  }
  for (const auto& folder : sorted_subfolders(ground_truth)) {
    const bool good = folder.filename() == layout_.good;
    for (const auto& mask : list_image_files(folder)) {
      if (claimed.count(mask.lexically_normal())) continue;
      if (good) {
        // Normal images have no masks; an all-zero one is harmless, a mask with defect pixels contradicts its label.
        if (cv::countNonZero(read_mask(mask)) == 0) {
          if (sink) sink->account_for(mask);
          continue;
        }
        report_problem(sink, mask.string(), fmt::format("mask with defect pixels under ground_truth/{}: {} images are normal",
                                                        layout_.good, layout_.good), mask);
        continue;
      }
      report_problem(sink, mask.string(), fmt::format("mask without an image (no test/{}/{}.*)", folder.filename().string(),
                                                      image_stem_of_mask(mask)), mask);
    }
  }
}

std::string MvtecAd::image_stem_of_mask(const fs::path& mask) const {
  const std::string stem = mask.stem().string();
  for (const auto& suffix : layout_.mask_suffixes) {
    if (!suffix.empty() && stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return stem.substr(0, stem.size() - suffix.size());
    }
  }
  return stem;
}

}  // namespace kdad::datasets
