// `kdad report`, `kdad table` and `kdad compare`.
#include "harness/report/report_command.h"

#include "core/error.h"
#include "core/text_file.h"
#include "reports/compare.h"
#include "reports/html_report.h"
#include "reports/paper_table.h"

#include <fmt/format.h>
#include <fmt/ostream.h>


namespace kdad::harness {
namespace fs = std::filesystem;

int run_report(const ReportCommand& command, std::ostream& out) {
  const reports::SelectedCells selected = reports::select_cells(command.database, command.selection);
  reports::HtmlReportOptions options;
  options.chartjs = command.chartjs;
  options.gallery = command.gallery;
  options.title = command.title;
  const std::string html = reports::render_html_report(selected, options);
  write_file_atomically(command.html, html);
  fmt::print(out, "wrote {} ({} cells, {:.1f} MB): {}\n", command.html.string(), selected.cells.size(),
             static_cast<double>(html.size()) / 1e6, fs::absolute(command.html).lexically_normal().string());
  return 0;
}

int run_table(const TableCommand& command, std::ostream& out) {
  const reports::SelectedCells selected = reports::select_cells(command.database, command.selection);
  const std::string table = reports::render_table(selected, command.options);
  if (command.output) {
    write_file_atomically(*command.output, table);
    fmt::print(out, "wrote {}\n", command.output->string());
  } else {
    out << table;
  }
  return 0;
}

int run_compare(const CompareCommand& command, std::ostream& out) {
  const reports::SelectedCells baseline = reports::select_cells(command.baseline, command.baseline_selection);
  const reports::SelectedCells candidate = reports::select_cells(command.candidate, command.candidate_selection);
  const reports::Comparison comparison = reports::compare(baseline, candidate, command.options);
  const std::string markdown = reports::comparison_markdown(comparison);
  if (command.markdown) write_file_atomically(*command.markdown, markdown);
  if (command.json) {
    out << reports::comparison_json(comparison).dump(2) << "\n";
  } else {
    out << markdown;
  }
  return comparison.regression ? 1 : 0;
}

}  // namespace kdad::harness
