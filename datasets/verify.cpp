// `datasets verify`: layout checks and the summary.
#include "datasets/verify.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/sha256.h"
#include "datasets/image_codec.h"
#include "datasets/image_io.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>

#include <set>
#include <unordered_map>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

struct PublishedEntry {
  const char* format;
  const char* category;
  PublishedCounts counts;
};

// MVTec AD: Bergmann et al., CVPR 2019, Table 1. KolektorSDD2: 2085 defect-free of 2331 train
// images (the one-class train split), 1004 test images. Fashion-MNIST/CIFAR-10: per class.
constexpr PublishedEntry kPublished[] = {
    {"mvtec_ad", "bottle", {209, 83}},     {"mvtec_ad", "cable", {224, 150}},    {"mvtec_ad", "capsule", {219, 132}},
    {"mvtec_ad", "carpet", {280, 117}},    {"mvtec_ad", "grid", {264, 78}},      {"mvtec_ad", "hazelnut", {391, 110}},
    {"mvtec_ad", "leather", {245, 124}},   {"mvtec_ad", "metal_nut", {220, 115}}, {"mvtec_ad", "pill", {267, 167}},
    {"mvtec_ad", "screw", {320, 160}},     {"mvtec_ad", "tile", {230, 117}},     {"mvtec_ad", "toothbrush", {60, 42}},
    {"mvtec_ad", "transistor", {213, 100}}, {"mvtec_ad", "wood", {247, 79}},     {"mvtec_ad", "zipper", {240, 151}},
    {"ksdd2", "ksdd2", {2085, 1004}},
};

struct Checked {
  std::string hash;           // content hash of the decoded image ("" when unreadable)
  std::vector<int> mask_values;
  std::optional<LayoutProblem> problem;
};

std::string content_hash(const cv::Mat& image) {
  Sha256 hash;
  hash.update(fmt::format("{}x{}x{}\n", image.cols, image.rows, image.type()));
  for (int y = 0; y < image.rows; ++y) hash.update(image.ptr(y), image.cols * image.elemSize());
  return hash.hex_digest();
}

Checked check_sample(const Dataset& dataset, const SampleRef& ref) {
  Checked checked;
  try {
    Sample sample = dataset.load(ref);
    checked.hash = content_hash(sample.image);
    if (!ref.mask.empty()) {
      checked.mask_values = mask_values(decode_image_file(ref.mask));
      if (ref.label == Label::anomalous && cv::countNonZero(sample.mask) == 0) {
        checked.problem = LayoutProblem{ref.mask.string(), "mask of an anomalous image has no defect pixel"};
      }
    }
  } catch (const Error& e) {
    checked.problem = LayoutProblem{e.subject().empty() ? ref.image.string() : e.subject(), e.problem()};
  }
  return checked;
}

// Image files under a category folder that no sample uses (orphan masks, stray images), sorted.
void find_unclaimed(const fs::path& folder, const std::set<fs::path>& claimed, VerifyReport& report) {
  std::error_code ec;
  std::set<fs::path> unclaimed;
  // Linked subfolders are not entered: a link to a parent folder would recurse without end.
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (is_os_junk(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || !is_image_extension(it->path().extension().string())) continue;
    if (!claimed.count(it->path().lexically_normal())) unclaimed.insert(it->path());
  }
  for (const auto& file : unclaimed) {
    report.problems.push_back({file.string(), "belongs to no sample of the layout (orphan mask or stray image)"});
  }
}

}  // namespace

std::optional<PublishedCounts> published_counts(const std::string& format, const std::string& category) {
  for (const auto& entry : kPublished) {
    if (format == entry.format && category == entry.category) return entry.counts;
  }
  if (format == "fashion_mnist") return PublishedCounts{6000, 10000};
  if (format == "cifar10") return PublishedCounts{5000, 10000};
  return std::nullopt;
}

VerifyReport verify_dataset(const Dataset& dataset, const std::vector<std::string>& categories, int threads) {
  VerifyReport report;
  report.format = dataset.format();
  report.root = dataset.root().string();
  if (categories.empty()) {
    report.problems.push_back({report.root, fmt::format("no categories found for format {} (is this the dataset's "
                                                        "top folder?)", report.format)});
  }
  for (const auto& category : categories) {
    ProblemSink sink;
    CategorySplit split;
    try {
      split = dataset.split(category, &sink);
    } catch (const Error& e) {
      report.problems.push_back({e.subject().empty() ? category : e.subject(), e.problem()});
      continue;
    }
    for (const auto& p : sink.problems()) report.problems.push_back(p);
    for (const auto& n : sink.notes()) report.notes.push_back(n);

    CategorySummary summary;
    summary.category = split.category;
    summary.published = published_counts(report.format, split.category);
    struct Entry {
      const SampleRef* ref;
      const char* role;
    };
    std::vector<Entry> entries;
    for (const auto& r : split.train) entries.push_back({&r, "train"});
    for (const auto& r : split.validation) entries.push_back({&r, "validation"});
    for (const auto& r : split.test) entries.push_back({&r, "test"});
    for (const auto& r : split.unlabelled) entries.push_back({&r, "unlabelled"});
    for (const auto& r : split.excluded) entries.push_back({&r, "excluded"});
    summary.train = split.train.size();
    summary.validation = split.validation.size();
    summary.unlabelled = split.unlabelled.size();
    summary.excluded = split.excluded.size();
    for (const auto& r : split.test) {
      (r.label == Label::anomalous ? summary.test_anomalous : summary.test_normal) += 1;
      summary.test_by_defect[r.defect_type] += 1;
    }

    std::vector<Checked> checked(entries.size());
    parallel_for(entries.size(), threads, [&](std::size_t i, int) { checked[i] = check_sample(dataset, *entries[i].ref); });
    report.files_checked += entries.size();

    std::set<int> mask_values;
    std::unordered_map<std::string, std::size_t> first_with_hash;
    std::set<fs::path> claimed;
    for (const auto& file : sink.accounted()) claimed.insert(file.lexically_normal());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const SampleRef& ref = *entries[i].ref;
      if (ref.record < 0) {
        claimed.insert(ref.image.lexically_normal());
        if (!ref.mask.empty()) claimed.insert(ref.mask.lexically_normal());
      }
      if (checked[i].problem) report.problems.push_back(*checked[i].problem);
      mask_values.insert(checked[i].mask_values.begin(), checked[i].mask_values.end());
      if (checked[i].hash.empty()) continue;
      const auto [it, fresh] = first_with_hash.emplace(checked[i].hash, i);
      if (fresh) continue;
      const Entry& first = entries[it->second];
      const std::set<std::string> roles = {first.role, entries[i].role};
      const bool leak = roles.count("train") && (roles.count("test") || roles.count("unlabelled"));
      (leak ? report.problems : report.notes)
          .push_back({ref.id, fmt::format("identical image to {} ({} / {}{})", first.ref->id, first.role, entries[i].role,
                                          leak ? ": the same image is in training and evaluation" : "")});
    }
    summary.mask_values.assign(mask_values.begin(), mask_values.end());
    if (!summary.mask_values.empty() && summary.mask_values != std::vector<int>{0, 255} &&
        summary.mask_values != std::vector<int>{0, 1} && summary.mask_values != std::vector<int>{255}) {
      report.notes.push_back({split.category, fmt::format("masks hold values other than 0/255 ({} distinct); "
                                                          "binarised as non-zero = defect", summary.mask_values.size())});
    }
    const fs::path folder = dataset.category_folder(split.category);
    if (!folder.empty()) find_unclaimed(folder, claimed, report);
    if (summary.published && (summary.published->train != summary.train ||
                              summary.published->test != summary.test_normal + summary.test_anomalous)) {
      report.problems.push_back({split.category, fmt::format("{} train / {} test images; the published counts are {} / {}",
                                                             summary.train, summary.test_normal + summary.test_anomalous,
                                                             summary.published->train, summary.published->test)});
    }
    report.categories.push_back(std::move(summary));
  }
  return report;
}

}  // namespace kdad::datasets
