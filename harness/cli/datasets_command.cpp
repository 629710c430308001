// `kdad datasets verify` and `kdad datasets formats`.
#include "harness/cli/datasets_command.h"

#include "datasets/verify.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

namespace kdad::harness {
namespace {

nlohmann::json problems_json(const std::vector<datasets::LayoutProblem>& problems) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : problems) list.push_back({{"subject", p.subject}, {"problem", p.problem}});
  return list;
}

nlohmann::json report_json(const datasets::VerifyReport& report) {
  nlohmann::json doc = {{"format", report.format}, {"root", report.root}, {"sound", report.sound()},
                        {"files_checked", report.files_checked}, {"problems", problems_json(report.problems)},
                        {"notes", problems_json(report.notes)}};
  doc["categories"] = nlohmann::json::array();
  for (const auto& c : report.categories) {
    nlohmann::json entry = {{"category", c.category},     {"train", c.train},
                            {"validation", c.validation}, {"test_normal", c.test_normal},
                            {"test_anomalous", c.test_anomalous}, {"unlabelled", c.unlabelled},
                            {"excluded", c.excluded},     {"test_by_defect", c.test_by_defect},
                            {"mask_values", c.mask_values}};
    entry["published"] = c.published ? nlohmann::json({{"train", c.published->train}, {"test", c.published->test}})
                                     : nlohmann::json(nullptr);
    doc["categories"].push_back(entry);
  }
  return doc;
}

void print_report(std::ostream& out, const datasets::VerifyReport& report) {
  fmt::print(out, "{} dataset at {}\n\n", report.format, report.root);
  fmt::print(out, "{:<16} {:>6} {:>5} {:>10} {:>10} {:>10}  {:<16} {}\n", "category", "train", "val", "test good",
             "test anom", "no GT", "published tr/te", "test images by defect type");
  for (const auto& c : report.categories) {
    std::string defects;
    for (const auto& [defect, count] : c.test_by_defect) defects += fmt::format("{}{}={}", defects.empty() ? "" : " ", defect, count);
    const std::string published = c.published ? fmt::format("{}/{}", c.published->train, c.published->test) : "-";
    fmt::print(out, "{:<16} {:>6} {:>5} {:>10} {:>10} {:>10}  {:<16} {}\n", c.category, c.train, c.validation,
               c.test_normal, c.test_anomalous, c.unlabelled, published, defects);
    if (c.excluded > 0) fmt::print(out, "{:<16} ({} images of the layout unused by the one-class protocol)\n", "", c.excluded);
  }
  fmt::print(out, "\n{} images checked.\n", report.files_checked);
  for (const auto& n : report.notes) fmt::print(out, "note: {}: {}\n", n.subject, n.problem);
  for (const auto& p : report.problems) fmt::print(out, "problem: {}: {}\n", p.subject, p.problem);
  if (report.sound()) {
    fmt::print(out, "layout is sound\n");
  } else {
    fmt::print(out, "layout has {} problem(s)\n", report.problems.size());
  }
}

}  // namespace

int run_verify(const VerifyDatasetCommand& command, std::ostream& out) {
  const auto dataset = datasets::open_dataset(command.format, command.root, command.options);
  const std::vector<std::string> categories =
      command.categories.empty() ? dataset->categories() : datasets::resolve_categories(*dataset, command.categories);
  const datasets::VerifyReport report = datasets::verify_dataset(*dataset, categories, command.threads);
  if (command.json) {
    out << report_json(report).dump(2) << "\n";
  } else {
    print_report(out, report);
  }
  return report.sound() ? 0 : 2;
}

int run_list_formats(std::ostream& out) {
  for (const auto& info : datasets::dataset_formats()) fmt::print(out, "{:<14} {}\n", info.name, info.description);
  return 0;
}

}  // namespace kdad::harness
