// The VisA reader.
#include "datasets/visa.h"

#include "core/error.h"
#include "datasets/csv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace kdad::datasets {
namespace fs = std::filesystem;

Visa::Visa(fs::path root, fs::path split_csv) : root_(std::move(root)) {
  require_root_folder(root_);
  csv_ = split_csv.is_absolute() ? split_csv : root_ / split_csv;
  const CsvTable table = read_csv(csv_);
  const std::size_t object = table.column("object"), split = table.column("split"), label = table.column("label"),
                    image = table.column("image"), mask = table.column("mask");
  for (const auto& row : table.rows) {
    const std::string where = fmt::format("{}:{}", csv_.string(), row.line);
    const std::string& label_text = row.cells[label];
    if (label_text != "normal" && label_text != "anomaly") {
      throw DataError(where, fmt::format("label '{}' is neither 'normal' nor 'anomaly'", label_text));
    }
    const std::string& split_text = row.cells[split];
    if (split_text != "train" && split_text != "test") {
      throw DataError(where, fmt::format("split '{}' is neither 'train' nor 'test'", split_text));
    }
    rows_[row.cells[object]].push_back({row.line, split_text, label_text == "anomaly", row.cells[image], row.cells[mask]});
  }
  if (rows_.empty()) throw DataError(csv_.string(), "split CSV has no rows");
}

std::vector<std::string> Visa::categories() const {
  std::vector<std::string> names;
  for (const auto& [name, rows] : rows_) names.push_back(name);
  return names;
}

CategorySplit Visa::split(const std::string& category, ProblemSink* sink) const {
  require_category(category, categories(), csv_.string());
  const auto found = rows_.find(category);
  CategorySplit split;
  split.category = category;
  std::error_code ec;
  std::map<std::string, std::size_t> first_line;  // image path → the row that listed it first
  for (const Row& row : found->second) {
    const std::string where = fmt::format("{}:{}", csv_.string(), row.line);
    const auto [seen, fresh] = first_line.emplace(fs::path(row.image).lexically_normal().string(), row.line);
    if (!fresh) {
      report_problem(sink, where, fmt::format("image {} is listed again (first on line {}); one sample per image", row.image,
                                              seen->second));
      continue;
    }
    SampleRef ref;
    ref.image = root_ / row.image;
    ref.label = row.anomalous ? Label::anomalous : Label::normal;
    ref.defect_type = row.anomalous ? "bad" : "good";
    ref.category = category;
    ref.id = relative_id(root_, ref.image);
    if (!fs::is_regular_file(ref.image, ec)) {
      report_problem(sink, ref.image.string(), fmt::format("image listed in {} not found", where));
      continue;
    }
    if (row.anomalous) {
      if (row.mask.empty()) {
        report_problem(sink, where, fmt::format("anomalous image {} has no mask in the split CSV", row.image));
        continue;
      }
      ref.mask = root_ / row.mask;
      if (!fs::is_regular_file(ref.mask, ec)) {
        report_problem(sink, ref.mask.string(), fmt::format("mask listed in {} not found", where));
        continue;
      }
    }
    if (row.split == "train") {
      if (row.anomalous) {
        report_problem(sink, where, "anomalous image in the train split (one-class training needs normal images)");
        continue;
      }
      split.train.push_back(std::move(ref));
    } else {
      split.test.push_back(std::move(ref));
    }
  }
  auto by_id = [](const SampleRef& a, const SampleRef& b) { return a.id < b.id; };
  std::sort(split.train.begin(), split.train.end(), by_id);
  std::sort(split.test.begin(), split.test.end(), by_id);
  if (split.train.empty()) report_problem(sink, csv_.string(), fmt::format("no training images for {}", category));
  if (split.test.empty()) report_problem(sink, csv_.string(), fmt::format("no test images for {}", category));
  return split;
}

}  // namespace kdad::datasets
