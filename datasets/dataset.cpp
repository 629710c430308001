// Shared reader machinery: problem reporting, file-based sample loading, folder listing.
#include "datasets/dataset.h"

#include "core/error.h"
#include "datasets/image_io.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <map>

namespace kdad::datasets {
namespace fs = std::filesystem;

void report_problem(ProblemSink* sink, const std::string& subject, const std::string& problem, const fs::path& skipped) {
  if (!sink) throw DataError(subject, problem);
  sink->add(subject, problem);
  if (!skipped.empty()) sink->account_for(skipped);
}

void report_note(ProblemSink* sink, const std::string& subject, const std::string& text) {
  if (sink) sink->note(subject, text);
}

bool require_folder(ProblemSink* sink, const fs::path& folder) {
  std::error_code ec;
  if (fs::is_directory(folder, ec)) return true;
  const bool present = fs::exists(fs::status(folder, ec));
  const bool link = fs::is_symlink(fs::symlink_status(folder, ec));
  report_problem(sink, folder.string(), present ? "not a folder" : link ? "dangling symbolic link, not a folder" : "missing folder");
  return false;
}

Sample Dataset::load(const SampleRef& ref) const { return load_sample(ref); }

fs::path Dataset::category_folder(const std::string& category) const { return root() / category; }

std::optional<std::string> Dataset::resolve_category(const std::string& name) const {
  const std::vector<std::string> known = categories();
  if (std::find(known.begin(), known.end(), name) != known.end()) return name;
  return std::nullopt;
}

std::vector<std::string> resolve_categories(const Dataset& dataset, const std::vector<std::string>& names) {
  std::vector<std::string> resolved;
  for (const auto& name : names) {
    const auto category = dataset.resolve_category(name);
    if (!category) require_category(name, dataset.categories(), dataset.root().string());  // throws, listing them
    resolved.push_back(*category);
  }
  return resolved;
}

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
    std::error_code entry_error;  // a dangling link or link loop is not a folder, not a crash
    if (entry.is_directory(entry_error) && !is_os_junk(entry.path())) out.push_back(entry.path());
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

std::vector<std::string> category_folders(const fs::path& root, const std::vector<std::string>& markers) {
  std::vector<std::string> names;
  for (const auto& folder : sorted_subfolders(root)) {
    std::error_code ec;
    const bool marked = std::any_of(markers.begin(), markers.end(),
                                    [&](const std::string& child) { return fs::is_directory(folder / child, ec); });
    if (marked) names.push_back(folder.filename().string());
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
    const fs::path& path = entry.path();
    if (is_os_junk(path) || !is_image_extension(path.extension().string())) continue;
    std::error_code status_error;
    const fs::file_status status = fs::status(path, status_error);  // follows links
    if (fs::is_regular_file(status)) {
      out.push_back(path);
    } else if (fs::is_directory(status)) {
      throw DataError(path.string(), "is a folder, not an image file");
    } else if (status_error.value() == ELOOP) {
      throw DataError(path.string(), "symbolic link loop");
    } else if (entry.is_symlink(status_error)) {
      throw DataError(path.string(), "dangling symbolic link");
    } else {
      throw DataError(path.string(), "not a regular file");
    }
  }
  if (ec) throw DataError(folder.string(), "cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  // Sample ids drop the extension, so 000.png and 000.jpg would be two samples with one id.
  std::map<std::string, const fs::path*> by_stem;
  for (const auto& file : out) {
    const auto [it, fresh] = by_stem.emplace(file.stem().string(), &file);
    if (!fresh) {
      throw DataError(file.string(), fmt::format("same name as {} with another extension (two images, one sample id)",
                                                 it->second->filename().string()));
    }
  }
  return out;
}

std::string relative_id(const fs::path& root, const fs::path& file) {
  // Lexical, not fs::relative: that resolves links, and a linked category would get ids outside the root.
  fs::path base = root.lexically_normal();
  if (!base.has_filename()) base = base.parent_path();  // "data/" → "data"
  return file.lexically_normal().lexically_relative(base).replace_extension().generic_string();
}

}  // namespace kdad::datasets
