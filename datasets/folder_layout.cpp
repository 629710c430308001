// A generic layout for users' own data.
#include "datasets/folder_layout.h"

#include "core/error.h"
#include "core/rng.h"
#include "datasets/mvtec_ad.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kdad::datasets {
namespace fs = std::filesystem;

FolderLayout::FolderLayout(fs::path root) : root_(std::move(root)) { require_root_folder(root_); }

bool FolderLayout::single_category() const {
  std::error_code ec;
  return fs::is_directory(root_ / "normal", ec);
}

std::vector<std::string> FolderLayout::categories() const {
  if (single_category()) return {root_.lexically_normal().filename().string().empty()
                                     ? root_.lexically_normal().parent_path().filename().string()
                                     : root_.lexically_normal().filename().string()};
  return category_folders(root_, {"normal", "normal_test", "anomalous"});
}

fs::path FolderLayout::category_folder(const std::string& category) const {
  return single_category() ? root_ : root_ / category;
}

CategorySplit FolderLayout::split(const std::string& category, ProblemSink* sink) const {
  require_category(category, categories(), root_.string());
  const fs::path base = category_folder(category);
  std::error_code ec;
  CategorySplit split;
  split.category = category;
  const bool explicit_test = fs::is_directory(base / "normal_test", ec);
  const bool has_normal = require_folder(sink, base / "normal");
  for (const auto& file : has_normal ? list_image_files(base / "normal") : std::vector<fs::path>{}) {
    SampleRef ref{file, {}, -1, Label::normal, true, "good", category, relative_id(root_, file)};
    const bool to_test = !explicit_test && stable_hash(file.filename().string()) % 5 == 0;
    (to_test ? split.test : split.train).push_back(std::move(ref));
  }
  if (explicit_test) {
    for (const auto& file : list_image_files(base / "normal_test")) {
      split.test.push_back({file, {}, -1, Label::normal, true, "good", category, relative_id(root_, file)});
    }
  }
  if (fs::is_directory(base / "anomalous", ec)) {
    // Masks are optional as a whole (image-level data); once masks/ exists, each anomalous image needs its own.
    const bool has_masks = fs::is_directory(base / "masks", ec);
    for (const auto& file : list_image_files(base / "anomalous")) {
      SampleRef ref{file, {}, -1, Label::anomalous, true, "anomalous", category, relative_id(root_, file)};
      ref.mask = find_mask(base / "masks", file, {"", "_mask"});
      if (has_masks && ref.mask.empty()) {
        report_problem(sink, (base / "masks" / (file.stem().string() + ".png")).string(),
                       fmt::format("missing ground-truth mask for {} (masks/ holds the other images' masks)", file.string()), file);
        continue;
      }
      split.test.push_back(std::move(ref));
    }
  } else {
    report_problem(sink, (base / "anomalous").string(), "missing folder of anomalous test images");
  }
  if (split.train.empty() && has_normal) report_problem(sink, (base / "normal").string(), "no normal training images");
  auto by_id = [](const SampleRef& a, const SampleRef& b) { return a.id < b.id; };
  std::sort(split.test.begin(), split.test.end(), by_id);
  return split;
}

}  // namespace kdad::datasets
