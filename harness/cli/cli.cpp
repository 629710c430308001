// The command-line boundary: Boost.Program_options per subcommand, values checked into typed structs.
#include "harness/cli/cli.h"
#include "harness/cli/option_parsing.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/shell_quote.h"
#include "reports/html_report.h"

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>

namespace kdad::harness {
namespace po = boost::program_options;
namespace {

constexpr const char* kUsage =
    "usage: kdad <command> [options]\n"
    "\n"
    "commands:\n"
    "  run MANIFEST              train and evaluate every cell of a study (TOML manifest)\n"
    "  reproduce DB CELL         re-run one stored cell from its record; exit 1 when values differ\n"
    "  methods                   the registered methods, their options and presets\n"
    "  eval                      metrics of anomaly maps given as files (any dataset format)\n"
    "  report DB --html FILE     self-contained HTML report of a results database\n"
    "  table DB --format F       paper table (latex, markdown, csv) of a results database\n"
    "  compare BASE CANDIDATE    candidate vs baseline with tolerances; exit 1 on a regression\n"
    "  plan MANIFEST --slurm OUT the grid as a Slurm job array (one shard database per task)\n"
    "  run-cell MANIFEST --plan OUT  one array task's cells (what the plan's script runs)\n"
    "  merge SHARD... --into DB  combine results databases (Slurm task shards), no duplicates\n"
    "  datasets verify           check a dataset against its published layout\n"
    "  datasets formats          the dataset formats kdad reads\n"
    "  datasets make-synthetic   generate an MVTec-layout dataset (and simulated maps)\n"
    "  bench                     speed benchmarks (Google Benchmark flags pass through)\n"
    "  version                   version, git revision and libraries\n"
    "\n"
    "Run 'kdad <command> --help' for the options of a command.\n";

// The filters shared by report, table and compare.
struct SelectionText {
  std::string run, protocol;
  std::vector<std::string> methods, datasets;
};

void add_selection_options(po::options_description& options, SelectionText& text) {
  options.add_options()
      ("run", po::value<std::string>(&text.run), "only cells written by this run (uuid or git sha, or a prefix)")
      ("method", po::value<std::vector<std::string>>(&text.methods)->composing(),
       "only this method (id or label; repeat or comma-separate for several)")
      ("dataset", po::value<std::vector<std::string>>(&text.datasets)->composing(),
       "only this dataset (format or root folder name; repeatable)")
      ("protocol", po::value<std::string>(&text.protocol), "only this protocol (id or prefix)");
}

reports::Selection to_selection(const SelectionText& text) {
  reports::Selection selection;
  if (!text.run.empty()) selection.run = text.run;
  if (!text.protocol.empty()) selection.protocol = text.protocol;
  for (const auto& m : text.methods) {
    for (auto& item : split_list(m)) selection.methods.push_back(item);
  }
  for (const auto& d : text.datasets) {
    for (auto& item : split_list(d)) selection.datasets.push_back(item);
  }
  return selection;
}

Command parse_report(const std::vector<std::string>& args) {
  po::options_description options("report options");
  ReportCommand command;
  SelectionText selection;
  std::string database, html, chartjs;
  bool no_gallery = false;
  options.add_options()
      ("help,h", "show this help")
      ("database", po::value<std::string>(&database)->required(), "results database (SQLite)")
      ("html", po::value<std::string>(&html)->required(), "write the report to this file")
      ("title", po::value<std::string>(&command.title)->default_value("kdad report"), "the report's title")
      ("no-gallery", po::bool_switch(&no_gallery), "leave the heat-map gallery out (smaller file)")
      ("chartjs", po::value<std::string>(&chartjs)->default_value(reports::HtmlReportOptions{}.chartjs.string()),
       "Chart.js file to inline (Debian: libjs-chart.js)");
  add_selection_options(options, selection);
  const std::string usage = "usage: kdad report DB --html FILE [--run ID] [--method M] [--dataset D] [--protocol P]";
  if (auto help = help_or_parse(args, options, usage, {"database"})) return *help;
  command.database = database;
  command.html = html;
  command.chartjs = chartjs;
  command.gallery = !no_gallery;
  command.selection = to_selection(selection);
  return command;
}

Command parse_table(const std::vector<std::string>& args) {
  po::options_description options("table options");
  TableCommand command;
  SelectionText selection;
  const reports::TableOptions defaults;
  std::string database, format, metrics, rows, scale, output;
  options.add_options()
      ("help,h", "show this help")
      ("database", po::value<std::string>(&database)->required(), "results database (SQLite)")
      ("format", po::value<std::string>(&format)->default_value("latex"), "latex (booktabs), markdown or csv")
      ("metrics", po::value<std::string>(&metrics)->default_value(fmt::format("{}", fmt::join(defaults.metrics, ","))),
       "comma-separated metric names (kdad's stored names, e.g. image_auroc,pixel_auroc,au_pro,au_pro_rd4ad)")
      ("rows", po::value<std::string>(&rows)->default_value("category"), "category (grouped by dataset) or dataset")
      ("std", po::bool_switch(&command.options.with_std), "append ± the standard deviation over seeds")
      ("decimals", po::value<int>(&command.options.decimals)->default_value(defaults.decimals), "decimals, 0..6")
      ("scale", po::value<std::string>(&scale)->default_value("percent"), "percent (×100) or fraction")
      ("output,o", po::value<std::string>(&output), "write to this file instead of standard output");
  add_selection_options(options, selection);
  const std::string usage = "usage: kdad table DB [--format latex|markdown|csv] [--metrics M,...] [--rows category|dataset] "
                            "[--std] [--decimals N] [filters]";
  if (auto help = help_or_parse(args, options, usage, {"database"})) return *help;
  command.database = database;
  if (format == "latex") command.options.format = reports::TableFormat::latex;
  else if (format == "markdown" || format == "md") command.options.format = reports::TableFormat::markdown;
  else if (format == "csv") command.options.format = reports::TableFormat::csv;
  else throw UsageError("--format", fmt::format("'{}' is not one of latex, markdown, csv", format));
  if (rows == "category") command.options.rows = reports::TableRows::category;
  else if (rows == "dataset") command.options.rows = reports::TableRows::dataset;
  else throw UsageError("--rows", fmt::format("'{}' is not one of category, dataset", rows));
  if (scale != "percent" && scale != "fraction") throw UsageError("--scale", fmt::format("'{}' is not percent or fraction", scale));
  command.options.percent = scale == "percent";
  if (command.options.decimals < 0 || command.options.decimals > 6) {
    throw UsageError("--decimals", fmt::format("{} is outside 0..6", command.options.decimals));
  }
  command.options.metrics = split_list(metrics);
  if (command.options.metrics.empty()) throw UsageError("--metrics", "give at least one metric");
  if (!output.empty()) command.output = output;
  command.selection = to_selection(selection);
  return command;
}

Command parse_compare(const std::vector<std::string>& args) {
  po::options_description options("compare options");
  CompareCommand command;
  SelectionText selection;
  const reports::CompareOptions defaults;
  std::string baseline, candidate, baseline_run, candidate_run, metrics, markdown;
  std::vector<std::string> metric_tolerances;
  bool no_speed_gate = false, means_only = false;
  options.add_options()
      ("help,h", "show this help")
      ("baseline", po::value<std::string>(&baseline)->required(), "baseline results database")
      ("candidate", po::value<std::string>(&candidate)->required(), "candidate results database (may be the same file)")
      ("baseline-run", po::value<std::string>(&baseline_run), "only the baseline cells of this run (uuid or git sha)")
      ("candidate-run", po::value<std::string>(&candidate_run), "only the candidate cells of this run (uuid or git sha)")
      ("metrics", po::value<std::string>(&metrics)->default_value(fmt::format("{}", fmt::join(defaults.metrics, ","))),
       "metrics gated (higher is better)")
      ("tolerance", po::value<double>(&command.options.tolerance)->default_value(defaults.tolerance, "0.005"),
       "absolute drop allowed on a metric")
      ("metric-tolerance", po::value<std::vector<std::string>>(&metric_tolerances)->composing(),
       "METRIC=DROP: a metric's own allowed drop (repeatable), e.g. image_auroc=0.05")
      ("seed-std-multiple", po::value<double>(&command.options.seed_std_multiple)->default_value(defaults.seed_std_multiple, "2"),
       "with several seeds a drop of this many baseline seed stds is also allowed")
      ("speed-tolerance", po::value<double>(&command.options.speed_tolerance)->default_value(defaults.speed_tolerance, "0.25"),
       "relative slow-down allowed (0.25 = 25 %)")
      ("no-speed-gate", po::bool_switch(&no_speed_gate), "report speed ratios without gating on them")
      ("means-only", po::bool_switch(&means_only),
       "gate on the means over categories; single cells beyond tolerance are only reported")
      ("alpha", po::value<double>(&command.options.alpha)->default_value(defaults.alpha, "0.05"), "significance level")
      ("json", po::bool_switch(&command.json), "print JSON instead of Markdown")
      ("markdown", po::value<std::string>(&markdown), "also write the Markdown summary to this file");
  add_selection_options(options, selection);
  const std::string usage = "usage: kdad compare BASELINE CANDIDATE [--baseline-run ID] [--candidate-run ID] [--tolerance T] "
                            "[--speed-tolerance R] [--json]";
  if (auto help = help_or_parse(args, options, usage, {"baseline", "candidate"})) return *help;
  command.baseline = baseline;
  command.candidate = candidate;
  if (!selection.run.empty()) throw UsageError("--run", "use --baseline-run and --candidate-run with compare");
  command.baseline_selection = to_selection(selection);
  command.candidate_selection = command.baseline_selection;
  if (!baseline_run.empty()) command.baseline_selection.run = baseline_run;
  if (!candidate_run.empty()) command.candidate_selection.run = candidate_run;
  command.options.metrics = split_list(metrics);
  if (command.options.metrics.empty()) throw UsageError("--metrics", "give at least one metric");
  auto check_range = [](const char* option, double value, double low, double high) {
    if (!(value >= low && value <= high)) throw UsageError(option, fmt::format("{} is outside [{}, {}]", value, low, high));
  };
  check_range("--tolerance", command.options.tolerance, 0, 1);
  for (const auto& item : metric_tolerances) {
    for (const auto& pair : split_list(item)) {
      const auto equals = pair.find('=');
      double value = -1;
      try {
        if (equals != std::string::npos) value = std::stod(pair.substr(equals + 1));
      } catch (const std::exception&) {
      }
      if (equals == std::string::npos || equals == 0) {
        throw UsageError("--metric-tolerance", fmt::format("'{}' is not METRIC=DROP", pair));
      }
      check_range("--metric-tolerance", value, 0, 1);
      const std::string metric = pair.substr(0, equals);
      if (std::find(command.options.metrics.begin(), command.options.metrics.end(), metric) == command.options.metrics.end()) {
        throw UsageError("--metric-tolerance", fmt::format("'{}' is not one of the gated metrics ({})", metric,
                                                           fmt::join(command.options.metrics, ", ")));
      }
      command.options.metric_tolerance[pair.substr(0, equals)] = value;
    }
  }
  check_range("--seed-std-multiple", command.options.seed_std_multiple, 0, 100);
  check_range("--speed-tolerance", command.options.speed_tolerance, 0, 100);
  check_range("--alpha", command.options.alpha, 1e-9, 0.5);
  command.options.gate_speed = !no_speed_gate;
  command.options.gate_cells = !means_only;
  if (!markdown.empty()) command.markdown = markdown;
  return command;
}

Command parse_make_synthetic(const std::vector<std::string>& args) {
  po::options_description options("datasets make-synthetic options");
  MakeSyntheticCommand command;
  std::string root, categories = "weave,speckle,disc", maps;
  options.add_options()
      ("help,h", "show this help")
      ("root", po::value<std::string>(&root)->required(), "output folder (must not exist or be empty)")
      ("categories", po::value<std::string>(&categories)->default_value(categories), "weave, speckle and/or disc")
      ("size", po::value<int>(&command.spec.image_size)->default_value(128), "image side in pixels (32..2048)")
      ("train", po::value<int>(&command.spec.train_images)->default_value(16), "train/good images per category")
      ("test-good", po::value<int>(&command.spec.test_good_images)->default_value(6), "test/good images per category")
      ("test-per-defect", po::value<int>(&command.spec.test_images_per_defect)->default_value(3),
       "test images per defect type (blob, scratch, edge, spots)")
      ("seed", po::value<std::uint64_t>(&command.spec.seed)->default_value(0), "random seed")
      ("maps", po::value<std::string>(&maps), "also write simulated detector maps (float32 TIFF) here")
      ("map-strength", po::value<double>(&command.maps.strength)->default_value(0.8, "0.8"),
       "simulated response on defects (noise std 0.3)");
  const std::string usage = "usage: kdad datasets make-synthetic ROOT [options]";
  if (auto help = help_or_parse(args, options, usage, {"root"})) return *help;
  command.root = root;
  command.spec.categories = split_list(categories);
  command.maps.seed = command.spec.seed;
  if (!maps.empty()) command.maps_root = maps;
  return command;
}

Command parse_verify(const std::vector<std::string>& args) {
  po::options_description options("datasets verify options");
  VerifyDatasetCommand command;
  std::string root, format, categories, split_csv;
  options.add_options()
      ("help,h", "show this help")
      ("root", po::value<std::string>(&root), "dataset root (fashion_mnist defaults to Debian's package)")
      ("format", po::value<std::string>(&format)->required(), "dataset format (kdad datasets formats)")
      ("categories", po::value<std::string>(&categories), "comma-separated categories (default: all)")
      ("visa-split", po::value<std::string>(&split_csv)->default_value("split_csv/1cls.csv"),
       "VisA split CSV, relative to the root unless absolute")
      ("json", po::bool_switch(&command.json), "print JSON instead of a table")
      ("threads", po::value<int>(&command.threads)->default_value(0), "worker threads (0 = all cores)");
  ImageInputText image_inputs;
  add_image_input_options(options, image_inputs);
  const std::string usage = "usage: kdad datasets verify [ROOT] --format FORMAT [options]";
  if (auto help = help_or_parse(args, options, usage, {"root"})) return *help;
  command.image_inputs = to_image_input_policy(image_inputs);
  command.root = root;
  command.format = datasets::parse_dataset_format(format);
  command.categories = split_list(categories);
  command.options.visa_split_csv = split_csv;
  command.threads = checked_threads(command.threads);
  command.options.threads = command.threads;
  return command;
}

Command parse_bench(const std::vector<std::string>& args) {
  BenchCommand command;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--dump-pixels") {
      if (i + 1 == args.size()) throw UsageError("--dump-pixels", "needs a folder");
      command.dump_pixels = args[++i];
    } else if (args[i].rfind("--dump-pixels=", 0) == 0) {
      command.dump_pixels = args[i].substr(14);
    } else {
      command.args.push_back(args[i]);
    }
  }
  return command;
}

}  // namespace

Invocation parse_command_line(int argc, const char* const* argv) {
  Invocation invocation;
  for (int i = 0; i < argc; ++i) {
    invocation.command_line += (i ? " " : "") + shell_quote(argv[i]);
  }
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    invocation.command = HelpCommand{kUsage};
    return invocation;
  }
  const std::string& name = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (name == "eval") {
    invocation.command = parse_eval(rest);
  } else if (name == "run") {
    invocation.command = parse_run(rest);
  } else if (name == "reproduce") {
    invocation.command = parse_reproduce(rest);
  } else if (name == "report") {
    invocation.command = parse_report(rest);
  } else if (name == "table") {
    invocation.command = parse_table(rest);
  } else if (name == "compare") {
    invocation.command = parse_compare(rest);
  } else if (name == "plan") {
    invocation.command = parse_plan(rest);
  } else if (name == "run-cell") {
    invocation.command = parse_run_cell(rest);
  } else if (name == "merge") {
    invocation.command = parse_merge(rest);
  } else if (name == "methods") {
    invocation.command = MethodsCommand{};
  } else if (name == "datasets") {
    if (rest.empty() || rest[0] == "--help" || rest[0] == "-h") {
      invocation.command = HelpCommand{"usage: kdad datasets verify|formats|make-synthetic [options]\n"};
    } else if (rest[0] == "make-synthetic") {
      invocation.command = parse_make_synthetic({rest.begin() + 1, rest.end()});
    } else if (rest[0] == "verify") {
      invocation.command = parse_verify({rest.begin() + 1, rest.end()});
    } else if (rest[0] == "formats") {
      invocation.command = ListFormatsCommand{};
    } else {
      throw UsageError("kdad datasets",
                       fmt::format("unknown subcommand '{}' (known: verify, formats, make-synthetic)", rest[0]));
    }
  } else if (name == "bench") {
    invocation.command = parse_bench(rest);
  } else if (name == "version" || name == "--version") {
    invocation.command = VersionCommand{};
  } else {
    throw UsageError("kdad", fmt::format("unknown command '{}' (known: run, plan, run-cell, reproduce, methods, eval, report, "
                                         "table, compare, merge, datasets, bench, version)", name));
  }
  return invocation;
}

}  // namespace kdad::harness
