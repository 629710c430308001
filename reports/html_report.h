// `kdad report --html`: one self-contained HTML file (Chart.js inlined, images as data URIs) with
// leaderboards, per-category tables, curves, bar charts, the heat-map gallery, speed, failures and
// the provenance of every number, rendered only from stored records.
#pragma once

#include "reports/selection.h"

#include <filesystem>
#include <string>

namespace kdad::reports {

struct HtmlReportOptions {
  /// Chart.js to inline (Debian's libjs-chart.js); the report loads nothing from the network.
  std::filesystem::path chartjs = "/usr/share/javascript/chart.js/chart.min.js";
  bool gallery = true;  ///< embed the heat-map galleries (lowest seed of each method and category)
  std::string title = "kdad report";
};

/// The report's HTML. Throws IoError naming the Chart.js file when it cannot be read.
std::string render_html_report(const SelectedCells& selected, const HtmlReportOptions& options);

}  // namespace kdad::reports
