// The report's pictures: per-category bar charts, ROC/PR/PRO curves, and the heat-map gallery.
#include "reports/html_page.h"
#include "reports/html_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kdad::reports::html {
namespace {

using nlohmann::json;

// Points closer than this to the last kept one (in both coordinates) add nothing visible at the
// charts' size; about 250 points per curve at most.
constexpr double kCurveStep = 0.004;

json points(const CurveRecord& curve) {
  json out = json::array();
  double last_x = -1, last_y = -1;
  for (std::size_t i = 0; i < curve.x.size(); ++i) {
    const bool last = i + 1 == curve.x.size();
    if (!last && i > 0 && std::abs(curve.x[i] - last_x) < kCurveStep && std::abs(curve.y[i] - last_y) < kCurveStep) continue;
    out.push_back({{"x", curve.x[i]}, {"y", curve.y[i]}});
    last_x = curve.x[i];
    last_y = curve.y[i];
  }
  return out;
}

json title(const std::string& text) { return {{"display", true}, {"text", text}}; }

json axis(const std::string& label, double min, double max) {
  return {{"type", "linear"}, {"min", min}, {"max", max}, {"title", title(label)}};
}

// The methods' first finished cell (lowest seed) in `category` of `dataset`, in method order.
std::vector<std::pair<std::size_t, const StoredCell*>> first_cells(const ProtocolView& view, const std::string& dataset,
                                                                   const std::string& category) {
  std::vector<std::pair<std::size_t, const StoredCell*>> out;
  for (std::size_t m = 0; m < view.methods.size(); ++m) {
    for (const auto* g : view.groups) {
      if (g->method != view.methods[m] || g->dataset != dataset) continue;
      for (const auto& c : g->categories) {
        if (c.category == category && !c.cells.empty()) out.emplace_back(m, c.cells.front());
      }
    }
  }
  return out;
}

std::vector<std::string> categories_of(const ProtocolView& view, const std::string& dataset) {
  std::vector<std::string> out;
  for (const auto* g : view.groups) {
    if (g->dataset != dataset) continue;
    for (const auto& c : g->categories) {
      if (std::find(out.begin(), out.end(), c.category) == out.end()) out.push_back(c.category);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct CurveKind {
  const char* curve;
  const char* title;
  const char* x;
  const char* y;
  bool fpr_limit;  // mark the AU-PRO integration limit on the x axis
};

constexpr CurveKind kCurves[] = {
    {"image_roc", "image ROC", "FPR", "TPR", false},
    {"pixel_roc", "pixel ROC", "FPR", "TPR", true},
    {"pixel_pr", "pixel PR", "recall", "precision", false},
    {"pro", "PRO", "FPR", "PRO", true},
};

}  // namespace

void bar_charts(Page& page, const ProtocolView& view) {
  static const std::vector<std::string> kBars = {"image_auroc", "pixel_auroc", "au_pro"};
  page.body += "<h3>Per-category charts</h3>\n";
  for (const auto& dataset : view.datasets) {
    const std::vector<std::string> categories = categories_of(view, dataset);
    page.body += fmt::format("<h4>{}</h4>\n<div class=\"charts\">\n", escape_html(dataset));
    for (const auto& metric : kBars) {
      if (std::find(view.metrics.begin(), view.metrics.end(), metric) == view.metrics.end()) continue;
      json datasets = json::array();
      for (std::size_t m = 0; m < view.methods.size(); ++m) {
        json values = json::array();
        bool any = false;
        for (const auto& category : categories) {
          json value = nullptr;
          for (const auto* g : view.groups) {
            if (g->method != view.methods[m] || g->dataset != dataset) continue;
            for (const auto& c : g->categories) {
              if (c.category != category) continue;
              if (const auto* s = category_stat(c, metric)) {
                value = 100.0 * s->mean;
                any = true;
              }
            }
          }
          values.push_back(value);
        }
        if (any) datasets.push_back({{"label", view.methods[m]}, {"data", values}, {"backgroundColor", method_colour(m)}});
      }
      const std::string caption = fmt::format("{} per category, {} (mean over seeds, %)", metric_header(metric), dataset);
      page.chart({{"type", "bar"},
                  {"data", {{"labels", categories}, {"datasets", datasets}}},
                  {"options", {{"plugins", {{"title", title(caption)}}}, {"scales", {{"y", axis("%", 0, 100)}}}}}},
                 std::max(420, 60 + 40 * static_cast<int>(categories.size() * std::max<std::size_t>(1, datasets.size()))),
                 280, caption);
    }
    page.body += "</div>\n";
  }
}

void curve_charts(Page& page, const ProtocolView& view) {
  const double limit = view.protocol.value("pro_limit", 0.3);
  page.body += fmt::format("<h3>Curves</h3>\n<p class=\"meta\">Each method's lowest seed. The dashed line marks the "
                           "AU-PRO integration limit (FPR {}).</p>\n", limit);
  for (const auto& dataset : view.datasets) {
    for (const auto& category : categories_of(view, dataset)) {
      const auto cells = first_cells(view, dataset, category);
      if (cells.empty()) continue;
      page.body += fmt::format("<h4>{} · {}</h4>\n<div class=\"charts\">\n", escape_html(dataset), escape_html(category));
      for (const auto& kind : kCurves) {
        json datasets = json::array();
        for (const auto& [m, cell] : cells) {
          const CurveRecord* curve = find_curve(cell->record, kind.curve);
          if (!curve) continue;
          datasets.push_back({{"label", fmt::format("{} (seed {})", view.methods[m], cell->record.seed.value_or(0))},
                              {"data", points(*curve)},
                              {"borderColor", method_colour(m)},
                              {"backgroundColor", method_colour(m)},
                              {"showLine", true},
                              {"pointRadius", 0},
                              {"borderWidth", 1.5}});
        }
        if (datasets.empty()) continue;
        if (kind.fpr_limit) {
          datasets.push_back({{"label", fmt::format("FPR limit {}", limit)},
                              {"data", json::array({{{"x", limit}, {"y", 0}}, {{"x", limit}, {"y", 1}}})},
                              {"borderColor", "#57606a"},
                              {"borderDash", {5, 4}},
                              {"showLine", true},
                              {"pointRadius", 0},
                              {"borderWidth", 1}});
        }
        const std::string caption = fmt::format("{} · {} · {}", kind.title, dataset, category);
        page.chart({{"type", "scatter"},
                    {"data", {{"datasets", datasets}}},
                    {"options",
                     {{"plugins", {{"title", title(fmt::format("{} · {}", kind.title, category))}}},
                      {"scales", {{"x", axis(kind.x, 0, 1)}, {"y", axis(kind.y, 0, 1)}}}}}},
                   290, 270, caption);
      }
      page.body += "</div>\n";
    }
  }
}

void gallery(Page& page, const ProtocolView& view) {
  static const std::pair<const char*, const char*> kRoles[] = {
      {"false_alarm", "normal, scored highest"}, {"missed", "anomalous, scored lowest"}, {"detected", "anomalous, scored highest"}};
  page.body += "<h3>Heat-map gallery</h3>\n<p class=\"meta\">Each method's lowest seed: image and map overlay (one "
               "colour scale per cell, blue low, red high; white outline = ground truth).</p>\n";
  bool any = false;
  for (const auto& dataset : view.datasets) {
    for (const auto& category : categories_of(view, dataset)) {
      for (const auto& [m, cell] : first_cells(view, dataset, category)) {
        const CellRecord& c = cell->record;
        if (c.artifacts.empty()) continue;
        any = true;
        page.body += fmt::format("<h4>{} · {} · {} (seed {})</h4>\n", escape_html(dataset), escape_html(category),
                                 escape_html(view.methods[m]), c.seed.value_or(0));
        for (const auto& [role, description] : kRoles) {
          std::string figures;
          for (const auto& a : c.artifacts) {
            if (a.kind != "gallery" || a.role != role) continue;
            double score = 0;
            std::string defect;
            for (const auto& image : c.images) {
              if (image.sample_id == a.sample_id) {
                score = image.score;
                defect = image.defect_type;
              }
            }
            const auto uri = data_uri_of_file(a.path);
            figures += uri ? fmt::format("<figure><img src=\"{}\" width=\"300\" height=\"150\" alt=\"{}\"><figcaption>{} · "
                                         "{} · score {:.4g}</figcaption></figure>",
                                         *uri, escape_html(a.sample_id), escape_html(a.sample_id), escape_html(defect), score)
                           : fmt::format("<figure><figcaption class=\"fail\">missing file {}</figcaption></figure>",
                                         escape_html(a.path));
          }
          if (!figures.empty()) {
            page.body += fmt::format("<div><b>{}</b> ({})</div><div class=\"gallery\">{}</div>\n",
                                     std::string(role) == "false_alarm" ? "false alarms"
                                     : std::string(role) == "missed"    ? "misses"
                                                                        : "best detections",
                                     description, figures);
          }
        }
      }
    }
  }
  if (!any) page.body += "<p>No gallery was stored (manifest <code>gallery = false</code>, or eval without --gallery).</p>\n";
}

}  // namespace kdad::reports::html
