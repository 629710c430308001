// `datasets verify`: checks a dataset against its published layout and summarises it.
#pragma once

#include "datasets/dataset.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kdad::datasets {

/// Image counts a dataset's authors published for one category.
struct PublishedCounts {
  std::size_t train = 0;
  std::size_t test = 0;
};

/// The published counts of `category` in `format`, when known (MVTec AD, KolektorSDD2,
/// Fashion-MNIST, CIFAR-10).
std::optional<PublishedCounts> published_counts(const std::string& format, const std::string& category);

struct CategorySummary {
  std::string category;
  std::size_t train = 0;
  std::size_t validation = 0;
  std::size_t test_normal = 0;
  std::size_t test_anomalous = 0;
  std::size_t unlabelled = 0;
  std::size_t excluded = 0;  ///< in the layout, unused by the protocol
  std::map<std::string, std::size_t> test_by_defect;  ///< defect type → test images
  std::vector<int> mask_values;                      ///< distinct raw mask values seen (sorted)
  std::optional<PublishedCounts> published;
};

struct VerifyReport {
  std::string format;
  std::string root;
  std::vector<CategorySummary> categories;
  std::vector<LayoutProblem> problems;  ///< make the layout unsound
  std::vector<LayoutProblem> notes;     ///< worth knowing, not wrong (e.g. per-defect mask values)
  std::size_t files_checked = 0;
  bool sound() const { return problems.empty(); }
};

/// Lists every category (or `categories`), decodes every image and mask on `threads` workers and
/// reports: counts per split and defect type beside the published ones, missing or unreadable
/// files, masks whose size differs from their image, anomalous images with empty masks, mask
/// values, files in a category folder that belong to no sample (orphan masks, stray images), and
/// identical images shared by the train and test splits (leakage) or repeated inside a split.
VerifyReport verify_dataset(const Dataset& dataset, const std::vector<std::string>& categories, int threads);

}  // namespace kdad::datasets
