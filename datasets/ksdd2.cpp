// The KolektorSDD2 reader.
#include "datasets/ksdd2.h"

#include "core/error.h"
#include "core/parallel.h"
#include "datasets/image_io.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>

namespace kdad::datasets {
namespace fs = std::filesystem;

Ksdd2::Ksdd2(fs::path root, int threads) : root_(std::move(root)), threads_(threads) { require_root_folder(root_); }

CategorySplit Ksdd2::split(const std::string& category, ProblemSink* sink) const {
  if (category != "ksdd2") throw DataError(category, "no such category; KolektorSDD2 has one category: ksdd2");
  CategorySplit split;
  split.category = category;
  for (const char* part : {"train", "test"}) {
    const fs::path folder = root_ / part;
    if (!require_folder(sink, folder)) continue;
    std::vector<fs::path> images;
    for (const auto& file : list_image_files(folder)) {
      if (file.stem().string().size() < 3 || file.stem().string().substr(file.stem().string().size() - 3) != "_GT") {
        images.push_back(file);
      }
    }
    std::vector<SampleRef> refs(images.size());
    std::vector<LayoutProblem> problems(images.size());  // empty subject = none
    parallel_for(images.size(), threads_, [&](std::size_t i, int) {
      const fs::path mask = images[i].parent_path() / (images[i].stem().string() + "_GT.png");
      SampleRef& ref = refs[i];
      ref.image = images[i];
      ref.category = category;
      ref.id = relative_id(root_, images[i]);
      if (!fs::is_regular_file(mask)) {
        problems[i] = {mask.string(), "missing ground-truth mask for " + images[i].string()};
        return;
      }
      cv::Mat binary;
      try {  // the label comes from the mask: one unreadable mask is that sample's problem, not the split's
        binary = read_mask(mask);
      } catch (const Error& e) {
        problems[i] = {e.subject().empty() ? mask.string() : e.subject(), e.problem()};
        return;
      }
      const bool defective = cv::countNonZero(binary) > 0;
      ref.label = defective ? Label::anomalous : Label::normal;
      ref.defect_type = defective ? "defect" : "good";
      ref.mask = mask;  // all zero for defect-free images
    });
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (!problems[i].subject.empty()) {
        report_problem(sink, problems[i].subject, problems[i].problem, images[i]);
        continue;
      }
      if (std::string(part) == "test") {
        split.test.push_back(std::move(refs[i]));
      } else {
        (refs[i].label == Label::normal ? split.train : split.excluded).push_back(std::move(refs[i]));
      }
    }
  }
  std::error_code ec;
  if (split.train.empty() && fs::is_directory(root_ / "train", ec)) {
    report_problem(sink, (root_ / "train").string(), "no defect-free training images");
  }
  if (split.test.empty() && fs::is_directory(root_ / "test", ec)) report_problem(sink, (root_ / "test").string(), "no test images");
  return split;
}

}  // namespace kdad::datasets
