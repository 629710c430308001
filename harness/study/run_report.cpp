// The table `kdad run` prints at the end.
#include "harness/study/run_report.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace kdad::harness {
namespace {

struct Column {
  const char* header;
  const char* metric;
};

constexpr Column kColumns[] = {{"I-AUROC", "image_auroc"}, {"P-AUROC", "pixel_auroc"}, {"AU-PRO", "au_pro"},
                               {"P-AP", "pixel_ap"},       {"PRO-RD4AD", "au_pro_rd4ad"}};

std::optional<double> metric(const reports::CellRecord& record, const std::string& name) {
  for (const auto& m : record.metrics) {
    if (m.name == name) return m.value;
  }
  return std::nullopt;
}

std::string value(const std::optional<double>& v) { return v ? fmt::format("{:.4f}", *v) : "n/a"; }

}  // namespace

void print_study_table(std::ostream& out, const std::vector<Cell>& cells, const std::map<std::string, reports::CellRecord>& stored) {
  fmt::print(out, "\n{:<20} {:<10} {:<14} {:>4}", "method", "dataset", "category", "seed");
  for (const auto& c : kColumns) fmt::print(out, " {:>9}", c.header);
  fmt::print(out, " {:>8} {:>7}\n", "fit", "img/s");
  std::map<std::string, std::map<std::string, std::pair<double, int>>> sums;  // method → metric → (sum, n)
  std::vector<std::string> order;
  for (const auto& cell : cells) {
    fmt::print(out, "{:<20} {:<10} {:<14} {:>4}", cell.method->label, datasets::format_name(cell.dataset->format),
               cell.category, cell.seed);
    const auto found = stored.find(cell.key);
    if (found == stored.end() || found->second.status != "ok") {
      fmt::print(out, "  {}\n", found == stored.end() ? "not run" : "failed: " + found->second.message.value_or(""));
      continue;
    }
    const reports::CellRecord& record = found->second;
    if (!sums.count(cell.method->label)) order.push_back(cell.method->label);
    for (const auto& c : kColumns) {
      const auto v = metric(record, c.metric);
      fmt::print(out, " {:>9}", value(v));
      if (v) {
        auto& [sum, n] = sums[cell.method->label][c.metric];
        sum += *v;
        ++n;
      }
    }
    double fit = 0, images_per_second = 0;
    for (const auto& t : record.timings) {
      if (t.phase == "fit") fit = t.total_s;
      if (t.phase == "predict_per_image" && t.total_s > 0) images_per_second = static_cast<double>(t.count) / t.total_s;
    }
    fmt::print(out, " {:>7.1f}s {:>7.1f}\n", fit, images_per_second);
  }
  for (const auto& label : order) {
    fmt::print(out, "{:<20} {:<10} {:<14} {:>4}", label, "mean", "", "");
    for (const auto& c : kColumns) {
      const auto it = sums[label].find(c.metric);
      fmt::print(out, " {:>9}", it == sums[label].end() ? "n/a" : fmt::format("{:.4f}", it->second.first / it->second.second));
    }
    fmt::print(out, "\n");
  }
}

}  // namespace kdad::harness
