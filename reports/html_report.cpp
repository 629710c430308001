// The HTML report's frame: head, styles, navigation, one part per protocol, the chart renderer.
#include "reports/html_report.h"
#include "reports/protocol_text.h"

#include "core/error.h"
#include "core/text_file.h"
#include "reports/html_page.h"
#include "reports/html_text.h"
#include "reports/terminal_tables.h"

#include <fmt/format.h>


namespace kdad::reports {
namespace html {

void Page::chart(nlohmann::json config, int width, int height, const std::string& caption) {
  const std::string id = fmt::format("chart-{}", charts.size());
  config["id"] = id;
  charts.push_back(std::move(config));
  body += fmt::format("<figure class=\"chart\"><canvas id=\"{}\" width=\"{}\" height=\"{}\" role=\"img\" "
                      "aria-label=\"{}\"></canvas></figure>\n",
                      id, width, height, escape_html(caption));
}

std::string method_colour(std::size_t n) {
  static constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                             "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return kPalette[n % (sizeof(kPalette) / sizeof(kPalette[0]))];
}

std::string group_anchor(const ProtocolView& view, const GroupSummary& group) {
  for (std::size_t i = 0; i < view.groups.size(); ++i) {
    if (view.groups[i] == &group) return fmt::format("group-{}-{}", view.index, i);
  }
  return "";
}

std::string cell_link(const StoredCell& cell, const std::string& text, const std::string& title) {
  return fmt::format("<a class=\"num\" href=\"#cell-{}\" title=\"{}\">{}</a>", cell.id, escape_html(title),
                     escape_html(text));
}

}  // namespace html

namespace {

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1240px;padding:0 20px 60px;color:#1b1f24}
h1{margin:24px 0 4px}h2{border-bottom:2px solid #d0d7de;padding-bottom:4px;margin-top:40px}h3{margin-top:28px}
.meta{color:#57606a}.banner{background:#fff4ce;border:1px solid #d4a72c;padding:10px 14px;border-radius:6px;margin:16px 0}
table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #d8dee4;padding:4px 9px;text-align:right;vertical-align:top}
th{background:#f6f8fa}th[colspan]{text-align:center}td.l,th.l{text-align:left}tr.mean td{border-top:2px solid #8c959f;font-weight:600}
a.num{color:inherit;text-decoration:none;border-bottom:1px dotted #8c959f}a.num:hover{background:#ddf4ff}
.best{font-weight:700}.second{text-decoration:underline}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure.chart{margin:0}figure.chart figcaption{font-size:12px;color:#57606a}
.gallery{display:flex;flex-wrap:wrap;gap:10px;margin:6px 0 14px}.gallery figure{margin:0;width:300px}
.gallery img{display:block;border:1px solid #d0d7de}.gallery figcaption{font-size:12px;color:#57606a;word-break:break-all}
.fail{color:#cf222e}code{font-size:12px;word-break:break-all}nav a{margin-right:14px}
details{margin:6px 0}summary{cursor:pointer;color:#0969da}
)css";

// Draws every chart listed in the page's JSON with Chart.js; no animation, so a screenshot or a
// test sees the final picture at once.
constexpr const char* kRenderer = R"js(
(function(){
  const specs = JSON.parse(document.getElementById('kdad-charts').textContent);
  for (const spec of specs) {
    const canvas = document.getElementById(spec.id);
    const options = Object.assign({animation:false, responsive:false, plugins:{}}, spec.options || {});
    new Chart(canvas.getContext('2d'), {type: spec.type, data: spec.data, options: options});
  }
})();
)js";

std::string read_chartjs(const std::filesystem::path& file) {
  const auto text = read_file_contents(file);
  if (!text || text->empty()) {
    throw IoError(file.string(), "cannot read Chart.js (install Debian's libjs-chart.js, or give --chartjs FILE)");
  }
  return *text;
}


}  // namespace

std::string render_html_report(const SelectedCells& selected, const HtmlReportOptions& options) {
  const std::string chartjs = read_chartjs(options.chartjs);
  const Summary summary = summarize(selected.cells);
  std::vector<html::ProtocolView> views;
  for (const auto& id : summary.protocols) {
    html::ProtocolView view;
    view.id = id;
    view.index = views.size();
    view.groups = groups_of(summary, id);
    view.metrics = summary.metrics;
    for (const auto* g : view.groups) {
      if (std::find(view.datasets.begin(), view.datasets.end(), g->dataset) == view.datasets.end()) {
        view.datasets.push_back(g->dataset);
      }
      if (std::find(view.methods.begin(), view.methods.end(), g->method) == view.methods.end()) {
        view.methods.push_back(g->method);
      }
      if (view.protocol.is_null() && !g->categories.empty()) {
        const auto& c = g->categories.front();
        const StoredCell* any = !c.cells.empty() ? c.cells.front() : c.failed.front();
        view.protocol = nlohmann::json::parse(any->record.protocol_json, nullptr, false);
      }
    }
    views.push_back(std::move(view));
  }

  html::Page page;
  std::vector<const CellRecord*> records;
  std::size_t failed = 0;
  for (const auto& cell : selected.cells) {
    records.push_back(&cell.record);
    failed += cell.record.status == "ok" ? 0 : 1;
  }
  page.body += fmt::format("<h1>{}</h1>\n<p class=\"meta\">{} · {} cell(s), {} failed · {} run(s) · values are "
                           "percentages (metric × 100); every number links to the cells and runs it comes from.</p>\n",
                           escape_html(options.title), escape_html(selected.database.string()), selected.cells.size(),
                           failed, selected.runs.size());
  if (const std::string note = random_weights_note(records); !note.empty()) {
    page.body += fmt::format("<div class=\"banner\"><b>Random teachers.</b> {}</div>\n", escape_html(note));
  }
  page.body += "<nav>";
  for (const auto& view : views) page.body += fmt::format("<a href=\"#protocol-{}\">protocol {}</a>", view.index, view.id);
  page.body += "<a href=\"#failed\">failed cells</a><a href=\"#provenance\">provenance</a></nav>\n";
  if (selected.cells.empty()) page.body += "<p>The selection holds no cells.</p>\n";
  if (views.size() > 1) {
    page.body += "<p class=\"banner\">This database holds results of several evaluation protocols. They are shown in "
                 "separate sections and never ranked together.</p>\n";
  }

  for (const auto& view : views) {
    page.body += fmt::format("<section id=\"protocol-{}\">\n<h2>Protocol {}</h2>\n<p class=\"meta\">{}</p>\n", view.index,
                             view.id, escape_html(protocol_description(view.protocol.is_null() ? std::string() : view.protocol.dump())));
    html::leaderboard(page, view);
    html::category_tables(page, view);
    html::bar_charts(page, view);
    html::curve_charts(page, view);
    if (options.gallery) html::gallery(page, view);
    html::speed(page, view);
    page.body += "</section>\n";
  }
  html::failures(page, selected);
  html::provenance(page, selected, views);

  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", escape_html(options.title), kStyle);
  out += page.body;
  out += "<script>\n" + chartjs + "\n</script>\n";
  out += "<script type=\"application/json\" id=\"kdad-charts\">" + json_for_script(page.charts.dump()) + "</script>\n";
  out += std::string("<script>") + kRenderer + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace kdad::reports
