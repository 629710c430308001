// Option parsers of the scoring commands: `kdad eval` and `kdad reproduce`.
#include "core/error.h"
#include "harness/cli/option_parsing.h"

#include <fmt/format.h>

#include <exception>

namespace kdad::harness {
namespace po = boost::program_options;

Command parse_eval(const std::vector<std::string>& args) {
  po::options_description options("eval options");
  std::string categories, policy, format, resolution, mask_resize, extra_limits;
  EvalCommand command;
  std::string dataset, maps, store, scores, gallery, split_csv;
  options.add_options()
      ("help,h", "show this help")
      ("dataset", po::value<std::string>(&dataset), "dataset root (fashion_mnist defaults to Debian's package)")
      ("format", po::value<std::string>(&format)->default_value("mvtec_ad"), "dataset format (kdad datasets formats)")
      ("visa-split", po::value<std::string>(&split_csv)->default_value("split_csv/1cls.csv"),
       "VisA split CSV, relative to the root unless absolute")
      ("maps", po::value<std::string>(&maps)->required(),
       "maps root: <maps>/<sample id>.tiff (float32), e.g. <maps>/<category>/test/<defect>/<id>.tiff")
      ("categories", po::value<std::string>(&categories), "comma-separated categories (default: all)")
      ("limit", po::value<double>(&command.pro_limit)->default_value(0.3, "0.3"), "AU-PRO FPR integration limit in (0,1]")
      ("extra-limits", po::value<std::string>(&extra_limits),
       "comma-separated further AU-PRO limits, each stored as au_pro_<limit> (MVTec AD 2: 0.05)")
      ("resolution", po::value<std::string>(&resolution)->default_value("native"),
       "native: maps resized to the ground truth (MVTec AD protocol); method: masks resized to each map (--mask-resize)")
      ("mask-resize", po::value<std::string>(&mask_resize)->default_value("nearest"),
       "with --resolution method: nearest (MRKD) or bilinear_threshold (RD4AD: bilinear, then > 0.5)")
      ("seg-f1", po::bool_switch(&command.seg_f1),
       "SegF1 at mean + 3 sigma of the validation images' maps (MAPS/<validation id>.tiff, as kdad run exports them)")
      ("validation-fraction", po::value<double>(&command.validation_fraction)->default_value(0.1, "0.1"),
       "with --seg-f1 on a dataset without a validation split: the training images held out (as kdad run holds them out)")
      ("scores", po::value<std::string>(&scores), "CSV of image scores '<id>,<score>' (default: map maximum)")
      ("rd4ad-policy", po::value<std::string>(&policy)->default_value("skip"),
       "au_pro_rd4ad images the RD4AD code cannot score: skip|zero|nan")
      ("store", po::value<std::string>(&store), "record the evaluation in this SQLite results database")
      ("gallery", po::value<std::string>(&gallery),
       "write heat-map overlays of the most telling images here (referenced from the store)")
      ("json", po::bool_switch(&command.json), "print JSON instead of a table")
      ("threads", po::value<int>(&command.threads)->default_value(0), "worker threads (0 = all cores)");
  ImageInputText image_inputs;
  add_image_input_options(options, image_inputs);
  const std::string usage = "usage: kdad eval --dataset ROOT [--format F] --maps MAPS [options]";
  if (auto help = help_or_parse(args, options, usage, {})) return *help;
  command.image_inputs = to_image_input_policy(image_inputs);
  if (!(command.pro_limit > 0.0 && command.pro_limit <= 1.0)) {
    throw UsageError("--limit", fmt::format("{} is outside (0, 1]", command.pro_limit));
  }
  for (const auto& text : split_list(extra_limits)) {
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size()) throw UsageError("--extra-limits", fmt::format("'{}' is not a number", text));
    command.extra_pro_limits.push_back(value);
  }
  check_extra_pro_limits(command.extra_pro_limits, command.pro_limit, "--extra-limits");
  if (!(command.validation_fraction > 0.0 && command.validation_fraction <= 0.5)) {
    throw UsageError("--validation-fraction", fmt::format("{} is outside (0, 0.5]", command.validation_fraction));
  }
  command.format = datasets::parse_dataset_format(format);
  command.resolution = parse_map_resolution(resolution, "--resolution");
  command.mask_resize = datasets::parse_mask_resize(mask_resize, "--mask-resize");
  if (dataset.empty() && datasets::default_dataset_root(command.format).empty()) {
    throw UsageError("--dataset", fmt::format("required: format {} has no default location", format));
  }
  command.dataset_root = dataset;
  command.dataset_options.visa_split_csv = split_csv;
  command.maps_root = maps;
  command.categories = split_list(categories);
  command.rd4ad_policy = parse_policy(policy);
  command.threads = checked_threads(command.threads);
  command.dataset_options.threads = command.threads;
  if (!store.empty()) command.store = store;
  if (!scores.empty()) command.scores_file = scores;
  if (!gallery.empty()) command.gallery = gallery;
  return command;
}

Command parse_reproduce(const std::vector<std::string>& args) {
  po::options_description options("reproduce options");
  ReproduceCommand command;
  std::string database, artifacts;
  options.add_options()
      ("help,h", "show this help")
      ("database", po::value<std::string>(&database)->required(), "results database (positional)")
      ("cell", po::value<std::string>(&command.cell)->required(), "the cell: its id or the start of its key (positional)")
      ("tolerance", po::value<double>(&command.tolerance)->default_value(0.0, "0"),
       "largest |stored - re-run| of a metric or image score that still agrees (CPU, same build: identical)")
      ("force", po::bool_switch(&command.force), "re-run even when the code version or the dataset differs from the record")
      ("threads", po::value<int>(&command.threads)->default_value(0), "worker threads (0 = those the cell ran with)")
      ("artifacts", po::value<std::string>(&artifacts), "keep the re-run's files here (default: a temporary folder, removed)");
  ImageInputText image_inputs;
  add_image_input_options(options, image_inputs);
  const std::string usage = "usage: kdad reproduce DB CELL [--tolerance T] [--force]";
  if (auto help = help_or_parse(args, options, usage, {"database", "cell"})) return *help;
  command.image_inputs = to_image_input_policy(image_inputs);
  if (!(command.tolerance >= 0.0)) throw UsageError("--tolerance", fmt::format("{} is negative", command.tolerance));
  if (command.threads < 0 || command.threads > 1024) throw UsageError("--threads", fmt::format("{} is outside 0..1024", command.threads));
  command.database = database;
  if (!artifacts.empty()) command.artifacts = artifacts;
  return command;
}

}  // namespace kdad::harness
