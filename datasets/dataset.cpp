// Shared reader machinery: problem reporting, file-based sample loading, folder listing.
#include "datasets/dataset.h"

#include "core/error.h"
#include "datasets/image_io.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

namespace kdad::datasets {
namespace fs = std::filesystem;

void report_problem(ProblemSink* sink, const std::string& subject, const std::string& problem) {
  if (!sink) throw DataError(subject, problem);
  sink->add(subject, problem);
}

Sample Dataset::load(const SampleRef& ref) const { return load_sample(ref); }

fs::path Dataset::category_folder(const std::string& category) const { return root() / category; }

Sample load_sample(const SampleRef& ref) {
  Sample sample;
  sample.image = read_image(ref.image);
  if (!ref.mask.empty()) {
    sample.mask = read_mask(ref.mask);
    if (sample.mask.size() != sample.image.size()) {
      throw DataError(ref.mask.string(),
                      fmt::format("mask is {}x{} but its image {} is {}x{}", sample.mask.cols,
                                  sample.mask.rows, ref.image.string(), sample.image.cols,
                                  sample.image.rows));
    }
  }
  sample.label = ref.label;
  sample.defect_type = ref.defect_type;
  sample.category = ref.category;
  sample.id = ref.id;
  return sample;
}

bool is_image_extension(const std::string& extension) {
  std::string ext = extension;
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".tif" || ext == ".tiff";
}

std::vector<fs::path> sorted_subfolders(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_directory() && !is_os_junk(entry.path())) out.push_back(entry.path());
  }
  if (ec) throw DataError(folder.string(), "cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

void require_root_folder(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw DataError(root.string(), "dataset root is not a folder");
}

void require_category(const std::string& category, const std::vector<std::string>& known, const std::string& where) {
  if (std::find(known.begin(), known.end(), category) != known.end()) return;
  throw DataError(category, fmt::format("no such category in {} (categories: {})", where,
                                        known.empty() ? std::string("none") : fmt::format("{}", fmt::join(known, ", "))));
}

std::vector<std::string> subfolders_with(const fs::path& root, const std::vector<std::string>& required) {
  std::vector<std::string> names;
  for (const auto& folder : sorted_subfolders(root)) {
    std::error_code ec;
    const bool complete = std::all_of(required.begin(), required.end(),
                                      [&](const std::string& child) { return fs::is_directory(folder / child, ec); });
    if (complete) names.push_back(folder.filename().string());
  }
  return names;
}

bool is_os_junk(const fs::path& path) {
  std::string name = path.filename().string();
  if (!name.empty() && name[0] == '.') return true;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name == "thumbs.db" || name == "desktop.ini";
}

std::vector<fs::path> list_image_files(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && !is_os_junk(entry.path()) && is_image_extension(entry.path().extension().string())) {
      out.push_back(entry.path());
    }
  }
  if (ec) throw DataError(folder.string(), "cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string relative_id(const fs::path& root, const fs::path& file) {
  return fs::relative(file, root).replace_extension().generic_string();
}

}  // namespace kdad::datasets
