// The MVTec AD 2 reader.
#include "datasets/mvtec_ad2.h"

#include "core/error.h"
#include "datasets/mvtec_ad.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

// Every image under `folder`, recursively, sorted (the private sets may or may not use subfolders).
std::vector<fs::path> images_below(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, ec); it != fs::recursive_directory_iterator(); ++it) {
    if (is_os_junk(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && is_image_extension(it->path().extension().string())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

MvtecAd2::MvtecAd2(fs::path root) : root_(std::move(root)) { require_root_folder(root_); }

std::vector<std::string> MvtecAd2::categories() const {
  return category_folders(root_, {"train", "test_public", "validation", "test_private", "test_private_mixed"});
}

CategorySplit MvtecAd2::split(const std::string& category, ProblemSink* sink) const {
  require_category(category, categories(), root_.string());
  const fs::path base = root_ / category;
  std::error_code ec;
  CategorySplit split;
  split.category = category;
  auto normals = [&](const fs::path& folder, std::vector<SampleRef>& into, bool required) {
    if (!fs::is_directory(folder, ec)) {
      if (!required) {
        report_note(sink, folder.string(), "missing folder (optional: no validation images)");
        return;
      }
      if (require_folder(sink, folder.parent_path())) require_folder(sink, folder);
      return;
    }
    for (const auto& file : list_image_files(folder)) {
      into.push_back({file, {}, -1, Label::normal, true, "good", category, relative_id(root_, file)});
    }
  };
  normals(base / "train" / "good", split.train, true);
  normals(base / "validation" / "good", split.validation, false);
  normals(base / "test_public" / "good", split.test, true);
  const fs::path bad = base / "test_public" / "bad";
  if (fs::is_directory(base / "test_public", ec) && require_folder(sink, bad)) {
    for (const auto& file : list_image_files(bad)) {
      SampleRef ref{file, {}, -1, Label::anomalous, true, "bad", category, relative_id(root_, file)};
      ref.mask = find_mask(base / "test_public" / "ground_truth" / "bad", file, {"_mask", ""});
      if (ref.mask.empty()) {
        report_problem(sink, (base / "test_public" / "ground_truth" / "bad" / (file.stem().string() + "_mask.png")).string(),
                       "missing ground-truth mask for " + file.string(), file);
        continue;
      }
      split.test.push_back(std::move(ref));
    }
  }
  for (const char* name : {"test_private", "test_private_mixed"}) {
    if (!fs::is_directory(base / name, ec)) {
      report_note(sink, (base / name).string(), "missing folder (optional: its images are predicted for submission)");
      continue;
    }
    for (const auto& file : images_below(base / name)) {
      SampleRef ref{file, {}, -1, Label::normal, false, name, category, relative_id(root_, file)};
      split.unlabelled.push_back(std::move(ref));
    }
  }
  if (split.train.empty() && fs::is_directory(base / "train" / "good", ec)) {
    report_problem(sink, (base / "train" / "good").string(), "no training images");
  }
  if (split.test.empty() && fs::is_directory(base / "test_public", ec)) {
    report_problem(sink, (base / "test_public").string(), "no public test images");
  }
  return split;
}

std::optional<std::size_t> mvtec_ad2_private_images(const std::string& object) {
  static const std::map<std::string, std::size_t> kPublished = {{"can", 321},  {"fabric", 314},      {"fruit_jelly", 255},
                                                                {"rice", 277}, {"sheet_metal", 142}, {"vial", 276},
                                                                {"wallplugs", 232}, {"walnuts", 228}};
  const auto it = kPublished.find(object);
  return it == kPublished.end() ? std::nullopt : std::optional<std::size_t>(it->second);
}

}  // namespace kdad::datasets
