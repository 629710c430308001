// The report's tables: leaderboard, per-category tables, speed, failed cells and provenance.
#include "reports/html_page.h"
#include "reports/html_text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace kdad::reports::html {
namespace {

// The metrics shown in the main tables; the others go into a folded table.
const std::vector<std::string> kHeadline = {"image_auroc", "pixel_auroc", "au_pro", "pixel_ap"};

const GroupSummary* find_group(const ProtocolView& view, const std::string& method, const std::string& dataset) {
  for (const auto* g : view.groups) {
    if (g->method == method && g->dataset == dataset) return g;
  }
  return nullptr;
}

// The headline metrics present (in kHeadline's order), or the others present.
std::vector<std::string> present(const ProtocolView& view, bool headline) {
  auto has = [&](const std::string& m) { return std::find(view.metrics.begin(), view.metrics.end(), m) != view.metrics.end(); };
  std::vector<std::string> out;
  if (headline) {
    for (const auto& m : kHeadline) {
      if (has(m)) out.push_back(m);
    }
    return out;
  }
  for (const auto& m : view.metrics) {
    if (std::find(kHeadline.begin(), kHeadline.end(), m) == kHeadline.end()) out.push_back(m);
  }
  return out;
}

// Which displayed values are best: the largest rounded value (ties share the mark).
std::vector<bool> best_of(const std::vector<std::optional<double>>& values) {
  std::optional<double> best;
  for (const auto& v : values) {
    if (v) best = std::max(best.value_or(-1.0), std::round(*v * 1000.0));
  }
  std::vector<bool> marks;
  for (const auto& v : values) marks.push_back(v && best && std::round(*v * 1000.0) == *best);
  return marks;
}

std::string spread_title(const metrics::SeedStatistics& s, std::size_t categories) {
  std::string title = fmt::format("mean {:.6f}", s.mean);
  if (categories > 0) title += fmt::format(" over {} categor{}", categories, categories == 1 ? "y" : "ies");
  if (s.std) title += fmt::format("; std {:.6f} over {} seeds; 95% CI [{:.6f}, {:.6f}]", *s.std, s.n, *s.ci_low, *s.ci_high);
  return title;
}

std::string with_std(const metrics::SeedStatistics& s) {
  return s.std ? fmt::format("{} ± {}", percent(s.mean), percent(*s.std)) : percent(s.mean);
}

std::string seconds(double s) { return s >= 100 ? fmt::format("{:.0f} s", s) : fmt::format("{:.2f} s", s); }

nlohmann::json environment(const CellRecord& c) {
  auto parsed = nlohmann::json::parse(c.environment_json.value_or("{}"), nullptr, false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

std::string json_text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

}  // namespace

void leaderboard(Page& page, const ProtocolView& view) {
  const std::vector<std::string> metrics = present(view, true);
  page.body += "<h3>Leaderboard</h3>\n<p class=\"meta\">Mean over categories (defined only when every category has "
               "the value) ± standard deviation over seeds. Best per column in bold.</p>\n<table>\n<tr><th class=\"l\" "
               "rowspan=\"2\">method</th>";
  for (const auto& d : view.datasets) page.body += fmt::format("<th colspan=\"{}\">{}</th>", metrics.size(), escape_html(d));
  page.body += "</tr>\n<tr>";
  for (std::size_t i = 0; i < view.datasets.size(); ++i) {
    for (const auto& m : metrics) page.body += fmt::format("<th>{}</th>", metric_header(m));
  }
  page.body += "</tr>\n";
  // Best per (dataset, metric) column.
  std::map<std::pair<std::string, std::string>, std::vector<bool>> best;
  for (const auto& d : view.datasets) {
    for (const auto& m : metrics) {
      std::vector<std::optional<double>> column;
      for (const auto& method : view.methods) {
        const GroupSummary* g = find_group(view, method, d);
        const auto* s = g ? mean_stat(*g, m) : nullptr;
        column.push_back(s ? std::optional<double>(s->mean) : std::nullopt);
      }
      best[{d, m}] = best_of(column);
    }
  }
  for (std::size_t row = 0; row < view.methods.size(); ++row) {
    page.body += fmt::format("<tr><td class=\"l\">{}</td>", escape_html(view.methods[row]));
    for (const auto& d : view.datasets) {
      const GroupSummary* g = find_group(view, view.methods[row], d);
      for (const auto& m : metrics) {
        const auto* s = g ? mean_stat(*g, m) : nullptr;
        if (!s) {
          const std::string why = g && g->undefined_in.count(m)
                                      ? "undefined or failed in " + fmt::format("{}", fmt::join(g->undefined_in.at(m), ", "))
                                      : "not run";
          page.body += fmt::format("<td title=\"{}\">{}</td>", escape_html(why), g ? "n/a" : "–");
          continue;
        }
        page.body += fmt::format("<td class=\"{}\"><a class=\"num\" href=\"#{}\" title=\"{}\">{}</a></td>",
                                 best[{d, m}][row] ? "best" : "", group_anchor(view, *g),
                                 escape_html(spread_title(*s, g->categories.size())), with_std(*s));
      }
    }
    page.body += "</tr>\n";
  }
  page.body += "</table>\n";
}

namespace {

void category_table(Page& page, const ProtocolView& view, const std::string& dataset,
                    const std::vector<std::string>& metrics) {
  std::vector<const GroupSummary*> groups;
  std::vector<std::string> categories;
  for (const auto& method : view.methods) {
    const GroupSummary* g = find_group(view, method, dataset);
    groups.push_back(g);
    if (!g) continue;
    for (const auto& c : g->categories) {
      if (std::find(categories.begin(), categories.end(), c.category) == categories.end()) categories.push_back(c.category);
    }
  }
  std::sort(categories.begin(), categories.end());
  page.body += "<table>\n<tr><th class=\"l\" rowspan=\"2\">category</th>";
  for (const auto& m : metrics) page.body += fmt::format("<th colspan=\"{}\">{}</th>", view.methods.size(), metric_header(m));
  page.body += "</tr>\n<tr>";
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    for (const auto& method : view.methods) page.body += fmt::format("<th>{}</th>", escape_html(method));
  }
  page.body += "</tr>\n";
  for (const auto& category : categories) {
    page.body += fmt::format("<tr><td class=\"l\">{}</td>", escape_html(category));
    for (const auto& m : metrics) {
      std::vector<const CategorySummary*> row;
      std::vector<std::optional<double>> values;
      for (const auto* g : groups) {
        const CategorySummary* found = nullptr;
        if (g) {
          for (const auto& c : g->categories) {
            if (c.category == category) found = &c;
          }
        }
        row.push_back(found);
        const auto* s = found ? category_stat(*found, m) : nullptr;
        values.push_back(s ? std::optional<double>(s->mean) : std::nullopt);
      }
      const auto marks = best_of(values);
      for (std::size_t i = 0; i < row.size(); ++i) {
        const CategorySummary* c = row[i];
        const auto* s = c ? category_stat(*c, m) : nullptr;
        if (!c) {
          page.body += "<td>–</td>";
        } else if (!s) {
          const StoredCell* cell = !c->failed.empty() ? c->failed.front() : c->cells.front();
          page.body += "<td>" + cell_link(*cell, c->cells.empty() ? "failed" : "n/a",
                                          c->cells.empty() ? cell->record.message.value_or("failed") : "undefined") + "</td>";
        } else {
          std::string title = spread_title(*s, 0);
          for (const StoredCell* cell : c->cells) {
            title += fmt::format("; seed {}: {:.6f}", cell->record.seed.value_or(0), *metric_value(cell->record, m));
          }
          page.body += fmt::format("<td class=\"{}\">{}</td>", marks[i] ? "best" : "",
                                   cell_link(*c->cells.front(), with_std(*s), title));
        }
      }
    }
    page.body += "</tr>\n";
  }
  page.body += "<tr class=\"mean\"><td class=\"l\">mean</td>";
  for (const auto& m : metrics) {
    std::vector<std::optional<double>> values;
    for (const auto* g : groups) {
      const auto* s = g ? mean_stat(*g, m) : nullptr;
      values.push_back(s ? std::optional<double>(s->mean) : std::nullopt);
    }
    const auto marks = best_of(values);
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const auto* s = groups[i] ? mean_stat(*groups[i], m) : nullptr;
      page.body += s ? fmt::format("<td class=\"{}\"><a class=\"num\" href=\"#{}\" title=\"{}\">{}</a></td>",
                                   marks[i] ? "best" : "", group_anchor(view, *groups[i]),
                                   escape_html(spread_title(*s, groups[i]->categories.size())), with_std(*s))
                     : "<td>n/a</td>";
    }
  }
  page.body += "</tr>\n</table>\n";
}

}  // namespace

void category_tables(Page& page, const ProtocolView& view) {
  page.body += "<h3>Per category</h3>\n<p class=\"meta\">Mean over seeds ± standard deviation; best per metric and "
               "category in bold. Hover a value for each seed's value, click it for its provenance.</p>\n";
  const std::vector<std::string> headline = present(view, true);
  const std::vector<std::string> others = present(view, false);
  for (const auto& dataset : view.datasets) {
    page.body += fmt::format("<h4>{}</h4>\n", escape_html(dataset));
    category_table(page, view, dataset, headline);
    if (!others.empty()) {
      page.body += "<details><summary>more metrics</summary>\n";
      category_table(page, view, dataset, others);
      page.body += "</details>\n";
    }
  }
}

void speed(Page& page, const ProtocolView& view) {
  page.body += "<h3>Speed</h3>\n<p class=\"meta\">Per method and dataset over its finished cells: mean fit time, "
               "mean of the cells' per-image latency percentiles (batches after the first), throughput, the largest "
               "peak memory. Compare speeds only between cells of one machine and allocator.</p>\n<table>\n<tr><th "
               "class=\"l\">method</th><th class=\"l\">dataset</th><th>cells</th><th>fit</th><th>latency p50</th>"
               "<th>latency p95</th><th>images/s</th><th>peak RSS</th><th>peak GPU</th><th class=\"l\">device</th>"
               "<th>threads</th><th class=\"l\">allocator</th></tr>\n";
  for (const auto* g : view.groups) {
    double fit = 0, p50 = 0, p95 = 0, images = 0, predict_seconds = 0, rss = 0, gpu = 0;
    double cells = 0, timed = 0;
    std::set<std::string> devices, threads, allocators;
    for (const auto& c : g->categories) {
      for (const StoredCell* cell : c.cells) {
        const CellRecord& r = cell->record;
        ++cells;
        if (const auto* t = find_timing(r, "fit")) fit += t->total_s;
        if (const auto* t = find_timing(r, "predict_per_image"); t && t->p50_s) {
          p50 += *t->p50_s;
          p95 += t->p95_s.value_or(0);
          images += static_cast<double>(t->count);
          predict_seconds += t->total_s;
          ++timed;
        }
        rss = std::max(rss, static_cast<double>(r.peak_rss_bytes.value_or(0)));
        gpu = std::max(gpu, static_cast<double>(r.peak_device_bytes.value_or(0)));
        const auto env = environment(r);
        devices.insert(r.device.value_or("-"));
        threads.insert(json_text(env, "threads"));
        allocators.insert(json_text(env, "host_allocator"));
      }
    }
    if (cells == 0) continue;
    const bool trained = fit > 0;
    page.body += fmt::format(
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td></tr>\n",
        escape_html(g->method), escape_html(g->dataset), static_cast<int>(cells), trained ? seconds(fit / cells) : "–",
        timed > 0 ? fmt::format("{:.1f} ms", 1000 * p50 / timed) : "–", timed > 0 ? fmt::format("{:.1f} ms", 1000 * p95 / timed) : "–",
        predict_seconds > 0 ? fmt::format("{:.1f}", images / predict_seconds) : "–", rss > 0 ? human_bytes(rss) : "–",
        gpu > 0 ? human_bytes(gpu) : "–", escape_html(fmt::format("{}", fmt::join(devices, ", "))),
        escape_html(fmt::format("{}", fmt::join(threads, ", "))), escape_html(fmt::format("{}", fmt::join(allocators, ", "))));
  }
  page.body += "</table>\n";
}

void failures(Page& page, const SelectedCells& selected) {
  page.body += "<section id=\"failed\">\n<h2>Failed cells</h2>\n";
  std::string rows;
  for (const auto& cell : selected.cells) {
    const CellRecord& c = cell.record;
    if (c.status == "ok") continue;
    rows += fmt::format("<tr><td class=\"l\"><a href=\"#cell-{}\">{}</a></td><td class=\"l\">{}</td><td class=\"l\">{}</td>"
                        "<td>{}</td><td class=\"l fail\">{}</td></tr>\n",
                        cell.id, escape_html(method_display_name(c)), escape_html(c.dataset_format),
                        escape_html(c.category), c.seed ? std::to_string(*c.seed) : "", escape_html(c.message.value_or("")));
  }
  page.body += rows.empty() ? "<p>None.</p>\n"
                            : "<table><tr><th class=\"l\">method</th><th class=\"l\">dataset</th><th class=\"l\">category"
                              "</th><th>seed</th><th class=\"l\">message</th></tr>\n" + rows + "</table>\n";
  page.body += "</section>\n";
}

void provenance(Page& page, const SelectedCells& selected, const std::vector<ProtocolView>& views) {
  page.body += "<section id=\"provenance\">\n<h2>Provenance</h2>\n<h3>Runs</h3>\n<table>\n<tr><th class=\"l\">run</th>"
               "<th class=\"l\">command</th><th class=\"l\">started</th><th class=\"l\">status</th><th class=\"l\">git</th>"
               "<th class=\"l\">kdad</th><th class=\"l\">host</th><th class=\"l\">compiler</th><th class=\"l\">calibration</th>"
               "</tr>\n";
  for (const auto& run : selected.runs) {
    const RunRecord& r = run.record;
    page.body += fmt::format(
        "<tr id=\"run-{}\"><td class=\"l\"><code>{}</code></td><td class=\"l\"><code>{}</code></td><td class=\"l\">{}</td>"
        "<td class=\"l\">{}</td><td class=\"l\"><code>{}{}</code></td><td class=\"l\">{}</td><td class=\"l\">{}</td>"
        "<td class=\"l\">{}</td><td class=\"l\"><code>{}</code></td></tr>\n",
        run.id, escape_html(r.uuid), escape_html(r.command_line), escape_html(r.started_at), escape_html(run.status),
        escape_html(r.git_sha), r.git_dirty ? " (dirty)" : "", escape_html(r.kdad_version), escape_html(r.host),
        escape_html(r.compiler), escape_html(r.calibration_json.value_or("–")));
  }
  page.body += "</table>\n<h3>Methods on datasets</h3>\n";
  for (const auto& view : views) {
    for (const auto* g : view.groups) {
      page.body += fmt::format("<div id=\"{}\"><b>{}</b> on <b>{}</b> (protocol {}): <code>{}</code> · root <code>{}</code>"
                               "<br>cells:",
                               group_anchor(view, *g), escape_html(g->method), escape_html(g->dataset), g->protocol_id,
                               escape_html(g->method_options), escape_html(g->dataset_root));
      for (const auto& c : g->categories) {
        for (const auto* list : {&c.cells, &c.failed}) {
          for (const StoredCell* cell : *list) {
            page.body += fmt::format(" <a href=\"#cell-{}\">{}/{}</a>", cell->id, escape_html(c.category),
                                     cell->record.seed.value_or(0));
          }
        }
      }
      page.body += "</div>\n";
    }
  }
  page.body += "<h3>Cells</h3>\n<p class=\"meta\">Method options are listed with each method above.</p>\n<table>\n<tr><th class=\"l\">cell</th><th class=\"l\">method</th><th class=\"l\">category"
               "</th><th>seed</th><th class=\"l\">status</th><th class=\"l\">run · git</th><th class=\"l\">dataset "
               "fingerprint</th><th class=\"l\">weights</th><th class=\"l\">device</th><th class=\"l\">protocol</th>"
               "</tr>\n";
  for (const auto& cell : selected.cells) {
    const CellRecord& c = cell.record;
    const StoredRun* run = run_of(selected, cell);
    page.body += fmt::format(
        "<tr id=\"cell-{}\"><td class=\"l\"><code title=\"key {}\">{}</code></td><td class=\"l\">{}</td><td class=\"l\">{}"
        "</td><td>{}</td><td class=\"l\">{}</td><td class=\"l\"><a href=\"#run-{}\"><code>{}</code></a> <code>{}{}</code>"
        "</td><td class=\"l\"><code title=\"{}\">{}</code></td><td class=\"l\"><code>{}</code></td><td class=\"l\">{}</td>"
        "<td class=\"l\">{}</td></tr>\n",
        cell.id, escape_html(c.key), cell.id, escape_html(method_display_name(c)), escape_html(c.category),
        c.seed ? std::to_string(*c.seed) : "", escape_html(c.status), cell.run_id,
        run ? escape_html(run->record.uuid.substr(0, 8)) : "?", run ? escape_html(run->record.git_sha.substr(0, 10)) : "",
        run && run->record.git_dirty ? "-dirty" : "", escape_html(c.dataset_fingerprint),
        escape_html(c.dataset_fingerprint.substr(0, 12)), escape_html(c.weights.value_or(c.maps_source.value_or("–"))),
        escape_html(c.device.value_or("–")), c.protocol_id);
  }
  page.body += "</table>\n</section>\n";
}

}  // namespace kdad::reports::html
