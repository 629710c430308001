// Paper tables in LaTeX, Markdown and CSV from one table model.
#include "reports/paper_table.h"
#include "reports/protocol_text.h"

#include "core/error.h"
#include "reports/summary.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace kdad::reports {
namespace {

enum class Mark { none, best, second };

struct Entry {
  std::optional<double> value;
  std::optional<double> std;
  std::size_t seeds = 0;
  Mark mark = Mark::none;
};

struct Row {
  std::string dataset;
  std::string label;        ///< category or dataset name
  bool is_mean = false;
  std::vector<Entry> entries;  ///< methods × metrics, method-major
};

struct Model {
  std::string protocol;
  std::string resolution;  ///< where maps met masks (resolution_label)
  std::vector<std::string> methods;
  std::vector<std::string> metrics;
  std::vector<std::string> datasets;
  std::vector<Row> rows;
};

Entry entry_of(const metrics::SeedStatistics* s) {
  Entry e;
  if (!s) return e;
  e.value = s->mean;
  e.std = s->std;
  e.seeds = s->n;
  return e;
}

const GroupSummary* find_group(const Summary& summary, const std::string& method, const std::string& dataset) {
  for (const auto& g : summary.groups) {
    if (g.method == method && g.dataset == dataset) return &g;
  }
  return nullptr;
}

// Marks best and second per metric within a row, comparing the values as displayed.
void mark(Row& row, std::size_t methods, std::size_t metrics, const TableOptions& options) {
  const double scale = (options.percent ? 100.0 : 1.0) * std::pow(10.0, options.decimals);
  for (std::size_t k = 0; k < metrics; ++k) {
    std::set<double, std::greater<>> shown;
    for (std::size_t m = 0; m < methods; ++m) {
      if (const auto& v = row.entries[m * metrics + k].value) shown.insert(std::round(*v * scale));
    }
    const auto best = shown.empty() ? std::nullopt : std::optional<double>(*shown.begin());
    // Second place is marked only when something ranks below it, so the last is never marked.
    const auto second = shown.size() < 3 ? std::nullopt : std::optional<double>(*std::next(shown.begin()));
    for (std::size_t m = 0; m < methods; ++m) {
      Entry& e = row.entries[m * metrics + k];
      if (!e.value || methods < 2) continue;
      const double v = std::round(*e.value * scale);
      e.mark = best && v == *best ? Mark::best : second && v == *second ? Mark::second : Mark::none;
    }
  }
}

Model build(const SelectedCells& selected, const TableOptions& options) {
  if (selected.cells.empty()) throw UsageError(selected.database.string(), "no cells selected; nothing to tabulate");
  const Summary summary = summarize(selected.cells);
  if (summary.protocols.size() > 1) {
    throw UsageError("--protocol", fmt::format("{} holds results of {} protocols ({}); a table never mixes protocols: "
                                               "choose one with --protocol",
                                               selected.database.string(), summary.protocols.size(),
                                               fmt::join(summary.protocols, ", ")));
  }
  for (const auto& m : options.metrics) {
    if (!is_further_au_pro(m) && std::none_of(known_metrics().begin(), known_metrics().end(), [&](const MetricInfo& k) { return k.name == m; })) {
      std::vector<std::string> names;
      for (const auto& k : known_metrics()) names.push_back(k.name);
      throw UsageError("--metrics", fmt::format("unknown metric '{}' (known: {})", m, fmt::join(names, ", ")));
    }
  }
  Model model;
  model.protocol = summary.protocols.front();
  // The id alone does not say where maps met masks; a table pasted into a paper must.
  model.resolution = resolution_label(selected.cells.front().record.protocol_json);
  model.metrics = options.metrics;
  for (const auto& g : summary.groups) {
    if (std::find(model.methods.begin(), model.methods.end(), g.method) == model.methods.end()) model.methods.push_back(g.method);
    if (std::find(model.datasets.begin(), model.datasets.end(), g.dataset) == model.datasets.end()) {
      model.datasets.push_back(g.dataset);
    }
  }
  auto row_of = [&](const std::string& dataset, const std::string& label, bool is_mean, auto stat_for) {
    Row row{dataset, label, is_mean, {}};
    for (const auto& method : model.methods) {
      const GroupSummary* g = find_group(summary, method, dataset);
      for (const auto& metric : model.metrics) row.entries.push_back(entry_of(g ? stat_for(*g, metric) : nullptr));
    }
    mark(row, model.methods.size(), model.metrics.size(), options);
    return row;
  };
  auto group_mean = [](const GroupSummary& g, const std::string& metric) { return mean_stat(g, metric); };
  if (options.rows == TableRows::dataset) {
    for (const auto& dataset : model.datasets) model.rows.push_back(row_of(dataset, dataset, false, group_mean));
    if (model.datasets.size() > 1) {
      // Mean over datasets of the methods' dataset means, defined only when every one is.
      Row mean{"", "Mean", true, {}};
      for (std::size_t i = 0; i < model.methods.size() * model.metrics.size(); ++i) {
        double sum = 0;
        bool defined = true;
        for (const auto& row : model.rows) {
          defined = defined && row.entries[i].value.has_value();
          sum += row.entries[i].value.value_or(0);
        }
        Entry e;
        if (defined) e.value = sum / static_cast<double>(model.rows.size());
        mean.entries.push_back(e);
      }
      mark(mean, model.methods.size(), model.metrics.size(), options);
      model.rows.push_back(std::move(mean));
    }
    return model;
  }
  for (const auto& dataset : model.datasets) {
    std::set<std::string> categories;
    for (const auto& g : summary.groups) {
      if (g.dataset != dataset) continue;
      for (const auto& c : g.categories) categories.insert(c.category);
    }
    for (const auto& category : categories) {
      model.rows.push_back(row_of(dataset, category, false, [&](const GroupSummary& g, const std::string& metric) {
        for (const auto& c : g.categories) {
          if (c.category == category) return category_stat(c, metric);
        }
        return static_cast<const metrics::SeedStatistics*>(nullptr);
      }));
    }
    model.rows.push_back(row_of(dataset, "Mean", true, group_mean));
  }
  return model;
}

std::string number(double value, const TableOptions& options) {
  return fmt::format("{:.{}f}", value * (options.percent ? 100.0 : 1.0), options.decimals);
}

bool show_std(const Entry& e, const TableOptions& options) { return options.with_std && e.std && e.seeds > 1; }

std::string latex_entry(const Entry& e, const TableOptions& options) {
  if (!e.value) return "--";
  std::string text = number(*e.value, options);
  if (e.mark == Mark::best) text = "\\textbf{" + text + "}";
  if (e.mark == Mark::second) text = "\\underline{" + text + "}";
  if (show_std(e, options)) text += "{\\scriptsize\\,$\\pm$\\," + number(*e.std, options) + "}";
  return text;
}

std::string markdown_entry(const Entry& e, const TableOptions& options) {
  if (!e.value) return "n/a";
  std::string text = number(*e.value, options);
  if (e.mark == Mark::best) text = "**" + text + "**";
  if (e.mark == Mark::second) text = "<u>" + text + "</u>";
  if (show_std(e, options)) text += " ± " + number(*e.std, options);
  return text;
}

std::string escape_markdown(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|' || c == '*' || c == '_' || c == '<' || c == '>' || c == '\\' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string unit(const TableOptions& options) { return options.percent ? "%" : "fraction"; }

std::string render_latex(const Model& model, const TableOptions& options) {
  const std::size_t k = model.metrics.size();
  const bool categories = options.rows == TableRows::category;
  std::string out = fmt::format("% kdad table: protocol {} ({}), values in {} ({} decimal places); best per row and metric in "
                                "bold, second underlined; -- = undefined or failed.\n% Needs \\usepackage{{booktabs}}; a wide table fits "
                                "the text in \\resizebox{{\\linewidth}}{{!}}{{...}} (graphicx).\n",
                                model.protocol, model.resolution, unit(options), options.decimals);
  out += "\\begin{tabular}{l";
  for (std::size_t m = 0; m < model.methods.size(); ++m) out += std::string(k, 'c');
  out += "}\n\\toprule\n";
  const std::string first = categories ? "Category" : "Dataset";
  if (k > 1) {
    out += " ";
    for (const auto& method : model.methods) out += fmt::format(" & \\multicolumn{{{}}}{{c}}{{{}}}", k, escape_latex(method));
    out += " \\\\\n";
    for (std::size_t m = 0; m < model.methods.size(); ++m) {
      out += fmt::format("\\cmidrule(lr){{{}-{}}}", 2 + m * k, 1 + (m + 1) * k);
    }
    out += "\n" + first;
    for (std::size_t m = 0; m < model.methods.size(); ++m) {
      for (const auto& metric : model.metrics) out += " & " + escape_latex(metric_header(metric));
    }
  } else {
    out += first + " (" + escape_latex(metric_header(model.metrics.front())) + ")";
    for (const auto& method : model.methods) out += " & " + escape_latex(method);
  }
  out += " \\\\\n\\midrule\n";
  std::string current;
  for (const auto& row : model.rows) {
    if (categories && model.datasets.size() > 1 && row.dataset != current) {
      if (!current.empty()) out += "\\midrule\n";
      out += fmt::format("\\multicolumn{{{}}}{{l}}{{\\textit{{{}}}}} \\\\\n", 1 + model.methods.size() * k,
                         escape_latex(row.dataset));
      current = row.dataset;
    }
    if (row.is_mean) out += "\\midrule\n";
    out += escape_latex(row.label);
    for (const auto& e : row.entries) out += " & " + latex_entry(e, options);
    out += " \\\\\n";
  }
  out += "\\bottomrule\n\\end{tabular}\n";
  return out;
}

std::string render_markdown(const Model& model, const TableOptions& options) {
  const bool categories = options.rows == TableRows::category;
  std::string out = fmt::format("<!-- kdad table: protocol {} ({}), values in {}; best per row and metric in bold, second "
                                "underlined -->\n",
                                model.protocol, model.resolution, unit(options));
  out += "| " + std::string(categories ? "Category" : "Dataset");
  for (const auto& method : model.methods) {
    for (const auto& metric : model.metrics) {
      out += " | " + escape_markdown(model.metrics.size() > 1 ? method + " " + metric_header(metric) : method);
    }
  }
  out += " |\n|:--";
  for (std::size_t i = 0; i < model.methods.size() * model.metrics.size(); ++i) out += "|--:";
  out += "|\n";
  for (const auto& row : model.rows) {
    std::string label = categories && model.datasets.size() > 1 ? row.dataset + " / " + row.label : row.label;
    out += "| " + (row.is_mean ? "**" + escape_markdown(label) + "**" : escape_markdown(label));
    for (const auto& e : row.entries) out += " | " + markdown_entry(e, options);
    out += " |\n";
  }
  return out;
}

std::string render_csv(const Model& model, const TableOptions& options) {
  std::string out = "protocol,dataset,row,method,metric,value,std,seeds,mark\n";
  for (const auto& row : model.rows) {
    for (std::size_t m = 0; m < model.methods.size(); ++m) {
      for (std::size_t k = 0; k < model.metrics.size(); ++k) {
        const Entry& e = row.entries[m * model.metrics.size() + k];
        out += fmt::format("{},{},{},{},{},{},{},{},{}\n", model.protocol, csv_field(row.dataset), csv_field(row.label),
                           csv_field(model.methods[m]), model.metrics[k], e.value ? number(*e.value, options) : "",
                           e.std && e.seeds > 1 ? number(*e.std, options) : "", e.seeds,
                           e.mark == Mark::best ? "best" : e.mark == Mark::second ? "second" : "");
      }
    }
  }
  return out;
}

}  // namespace

std::string escape_latex(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '#': case '$': case '%': case '&': case '_': case '{': case '}':
        out += '\\';
        out += c;
        break;
      case '<': out += "\\textless{}"; break;
      case '>': out += "\\textgreater{}"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_table(const SelectedCells& selected, const TableOptions& options) {
  const Model model = build(selected, options);
  switch (options.format) {
    case TableFormat::latex: return render_latex(model, options);
    case TableFormat::markdown: return render_markdown(model, options);
    case TableFormat::csv: return render_csv(model, options);
  }
  return "";
}

}  // namespace kdad::reports
