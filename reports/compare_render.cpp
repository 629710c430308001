// Rendering a comparison: Markdown for a pull-request comment, JSON for machines.
#include "reports/compare.h"

#include "reports/summary.h"

#include <fmt/format.h>

namespace kdad::reports {
namespace {

std::string value(const std::optional<double>& v) { return v ? fmt::format("{:.4f}", *v) : "n/a"; }
std::string signed_value(const std::optional<double>& v) { return v ? fmt::format("{:+.4f}", *v) : "n/a"; }

std::string p_text(const MetricDelta& d, double alpha) {
  if (!d.p_value) return "–";
  return fmt::format("{:.3g}{} ({})", *d.p_value, *d.p_value < alpha ? " *" : "", d.test);
}

std::string ratio_text(const SpeedRatio& r) {
  if (!r.ratio) return "–";
  return fmt::format("{:.2f}×{}", *r.ratio, r.regression ? " ❌" : "");
}

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json metric_json(const MetricDelta& d) {
  return {{"metric", d.metric},         {"baseline", optional_json(d.baseline)}, {"candidate", optional_json(d.candidate)},
          {"delta", optional_json(d.delta)}, {"tolerance", d.tolerance},       {"p_value", optional_json(d.p_value)},
          {"test", d.test},             {"regression", d.regression},          {"note", d.note}};
}

nlohmann::json speed_json(const std::vector<SpeedRatio>& speed) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : speed) {
    out.push_back({{"name", r.name}, {"ratio", optional_json(r.ratio)}, {"higher_is_better", r.higher_is_better},
                   {"regression", r.regression}});
  }
  return out;
}

}  // namespace

std::string comparison_markdown(const Comparison& c) {
  const CompareOptions& o = c.options;
  std::string out = fmt::format("## kdad compare: {}\n\n", c.regression ? "❌ regression" : "✅ no regression");
  out += fmt::format("- baseline: `{}`\n- candidate: `{}`\n- protocol `{}`; {} matched cell(s)", c.baseline, c.candidate,
                     c.protocol, c.cells.size());
  if (!c.missing.empty()) out += fmt::format(", {} missing in the candidate", c.missing.size());
  if (!c.added.empty()) out += fmt::format(", {} only in the candidate", c.added.size());
  std::string overrides;
  for (const auto& [metric, tolerance] : o.metric_tolerance) overrides += fmt::format(", {} {}", metric_header(metric), tolerance);
  out += fmt::format("\n- tolerances: a metric may drop {}{} (or {}× the baseline's seed std when there are several "
                     "seeds); speed may be {:.0f} % slower{}\n",
                     o.tolerance, overrides, o.seed_std_multiple, 100 * o.speed_tolerance, o.gate_speed ? "" : " (not gated)");
  out += c.calibrated ? fmt::format("- speed is compared as ratios to each run's calibration benchmark (candidate "
                                    "machine ran it {:.2f}× as long as the baseline's)\n",
                                    c.calibration_ratio.value_or(1.0))
                      : "- speed is compared in raw seconds (a run lacks a calibration; run with `--calibrate`)\n";

  out += "\n### Means over the categories finished on both sides\n\n| method | dataset | metric | baseline | candidate | Δ | allowed drop | p | |\n"
         "|:--|:--|:--|--:|--:|--:|--:|:--|:--|\n";
  for (const auto& m : c.means) {
    for (const auto& d : m.metrics) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {:.4f} | {} | {} |\n", m.method, m.dataset, metric_header(d.metric),
                         value(d.baseline), value(d.candidate), signed_value(d.delta), d.tolerance, p_text(d, o.alpha),
                         d.regression ? "❌" : "");
    }
  }
  out += "\n### Speed (candidate ÷ baseline)\n\n| method | dataset | fit time | latency p50 | throughput |\n"
         "|:--|:--|--:|--:|--:|\n";
  for (const auto& m : c.means) {
    out += fmt::format("| {} | {} | {} | {} | {} |\n", m.method, m.dataset, ratio_text(m.speed[0]), ratio_text(m.speed[1]),
                       ratio_text(m.speed[2]));
  }
  std::string regressed;
  for (const auto& cell : c.cells) {
    if (!cell.regression) continue;
    if (!cell.note.empty()) {
      regressed += fmt::format("| {} | {} | {} | – | – | – | – | {} |\n", cell.method, cell.category, cell.seed, cell.note);
    }
    for (const auto& d : cell.metrics) {
      if (!d.regression) continue;
      regressed += fmt::format("| {} | {} | {} | {} | {} → {} | {} | {} | {} |\n", cell.method, cell.category, cell.seed,
                               metric_header(d.metric), value(d.baseline), value(d.candidate), signed_value(d.delta),
                               p_text(d, o.alpha), d.note);
    }
  }
  out += fmt::format("\n### Cells beyond tolerance ({} of {}){}\n\n", [&] {
    std::size_t n = 0;
    for (const auto& cell : c.cells) n += cell.regression ? 1 : 0;
    return n;
  }(), c.cells.size(), o.gate_cells ? "" : " (reported; only failed or missing cells and the means decide the verdict)");
  out += regressed.empty() ? "None.\n"
                           : "| method | category | seed | metric | value | Δ | p | note |\n|:--|:--|--:|:--|:--|--:|:--|:--|\n" +
                                 regressed;
  if (!c.missing.empty()) {
    out += "\n### Missing in the candidate\n\n";
    for (const auto& name : c.missing) out += "- " + name + "\n";
  }
  if (!c.added.empty()) {
    out += "\n### Only in the candidate (not compared)\n\n";
    for (const auto& name : c.added) out += "- " + name + "\n";
  }
  out += fmt::format("\n`*` p < {} (image AU-ROC: DeLong on the paired image scores; image AP and F1-max: paired "
                     "bootstrap; means: paired t over seeds).\n",
                     o.alpha);
  return out;
}

nlohmann::json comparison_json(const Comparison& c) {
  nlohmann::json doc;
  doc["regression"] = c.regression;
  doc["baseline"] = c.baseline;
  doc["candidate"] = c.candidate;
  doc["protocol"] = c.protocol;
  doc["calibrated"] = c.calibrated;
  doc["calibration_ratio"] = optional_json(c.calibration_ratio);
  doc["options"] = {{"metrics", c.options.metrics},           {"tolerance", c.options.tolerance},
                    {"metric_tolerance", c.options.metric_tolerance},
                    {"seed_std_multiple", c.options.seed_std_multiple}, {"speed_tolerance", c.options.speed_tolerance},
                    {"gate_speed", c.options.gate_speed}, {"gate_cells", c.options.gate_cells},     {"alpha", c.options.alpha},
                    {"resamples", c.options.resamples}};
  doc["means"] = nlohmann::json::array();
  for (const auto& m : c.means) {
    nlohmann::json metrics = nlohmann::json::array();
    for (const auto& d : m.metrics) metrics.push_back(metric_json(d));
    doc["means"].push_back({{"method", m.method}, {"dataset", m.dataset}, {"categories", m.categories}, {"seeds", m.seeds},
                            {"metrics", metrics}, {"speed", speed_json(m.speed)}, {"regression", m.regression}});
  }
  doc["cells"] = nlohmann::json::array();
  for (const auto& cell : c.cells) {
    nlohmann::json metrics = nlohmann::json::array();
    for (const auto& d : cell.metrics) metrics.push_back(metric_json(d));
    doc["cells"].push_back({{"method", cell.method}, {"dataset", cell.dataset}, {"category", cell.category},
                            {"seed", cell.seed}, {"baseline_status", cell.baseline_status},
                            {"candidate_status", cell.candidate_status}, {"metrics", metrics},
                            {"speed", speed_json(cell.speed)}, {"regression", cell.regression}, {"note", cell.note}});
  }
  doc["missing"] = c.missing;
  doc["added"] = c.added;
  return doc;
}

}  // namespace kdad::reports
