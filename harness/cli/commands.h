// The typed commands the CLI produces; nothing after parsing sees argv strings.
#pragma once

#include "datasets/format.h"
#include "datasets/image_io.h"
#include "datasets/resize.h"
#include "datasets/simulated_maps.h"
#include "datasets/synthetic.h"
#include "metrics/results.h"
#include "harness/scoring/protocol.h"
#include "reports/compare.h"
#include "reports/paper_table.h"
#include "reports/selection.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kdad::harness {

/// `kdad eval`: metrics of anomaly maps stored in the MVTec evaluation layout.
struct EvalCommand {
  std::filesystem::path dataset_root;       ///< empty = the format's default location (Fashion-MNIST)
  datasets::DatasetFormat format = datasets::DatasetFormat::mvtec_ad;
  datasets::DatasetOptions dataset_options;
  std::filesystem::path maps_root;          ///< <maps>/<sample id>.tiff, e.g. <category>/test/<defect>/<id>.tiff
  std::vector<std::string> categories;      ///< empty = every category of the dataset
  double pro_limit = 0.3;                   ///< in (0, 1]
  std::vector<double> extra_pro_limits;     ///< AU-PRO also up to these (au_pro_<limit>)
  bool json = false;
  std::optional<std::filesystem::path> store;
  std::optional<std::filesystem::path> scores_file;  ///< image scores instead of map maxima
  std::optional<std::filesystem::path> gallery;      ///< heat-map gallery folder (<gallery>/<category>/)
  metrics::Rd4adPolicy rd4ad_policy = metrics::Rd4adPolicy::skip;
  MapResolution resolution = MapResolution::native;
  datasets::MaskResize mask_resize = datasets::MaskResize::nearest;  ///< masks to each map's grid (resolution method)
  bool seg_f1 = false;               ///< SegF1: needs the validation images' maps too
  datasets::ImageInputPolicy image_inputs;
  double validation_fraction = 0.1;  ///< held-out training images where the dataset has no validation split
  int threads = 1;
};

/// `kdad datasets make-synthetic`: a generated MVTec-layout dataset, optionally with simulated maps.
struct MakeSyntheticCommand {
  std::filesystem::path root;
  datasets::SyntheticSpec spec;
  std::optional<std::filesystem::path> maps_root;
  datasets::SimulatedMapsSpec maps;
};

/// `kdad datasets verify`: checks a dataset against its published layout.
struct VerifyDatasetCommand {
  std::filesystem::path root;            ///< empty = the format's default location
  datasets::DatasetFormat format = datasets::DatasetFormat::mvtec_ad;
  std::vector<std::string> categories;   ///< empty = all
  datasets::DatasetOptions options;
  bool json = false;
  int threads = 1;
  datasets::ImageInputPolicy image_inputs;
};

/// `kdad datasets formats`: the formats kdad reads.
struct ListFormatsCommand {};

/// `kdad run MANIFEST`: the study's grid of cells.
struct RunCommand {
  std::filesystem::path manifest;
  bool resume = false;
  bool fail_fast = false;
  bool dry_run = false;
  bool calibrate = false;  ///< time the speed calibration workload and store it with the run
  std::optional<std::filesystem::path> log_json;
  std::map<std::string, std::string> forced_options;  ///< e.g. pretrained=none for every method
  /// Evaluate this trained state ({category}/{seed} pattern, absolute) in every method instead of training.
  std::string checkpoint;
  std::string device;  ///< replaces the manifest's device (one worker per GPU); empty = the manifest's
  datasets::ImageInputPolicy image_inputs;
};

/// `kdad reproduce DB CELL`: re-runs one stored cell from its record and compares the values.
struct ReproduceCommand {
  std::filesystem::path database;
  std::string cell;                 ///< a cell key prefix (hex) or the cell's numeric id
  bool force = false;               ///< go on when the code version or the dataset differs
  double tolerance = 0.0;           ///< largest |old − new| of a metric or image score that still agrees
  int threads = 0;                  ///< 0 = the threads the cell ran with
  std::optional<std::filesystem::path> artifacts;  ///< where the re-run keeps its files (default: a temporary folder)
  datasets::ImageInputPolicy image_inputs;
};

/// `kdad report DB --html FILE`: the self-contained HTML report of a results database.
struct ReportCommand {
  std::filesystem::path database;
  std::filesystem::path html;
  reports::Selection selection;
  std::filesystem::path chartjs;  ///< Chart.js to inline
  bool gallery = true;
  std::string title;
};

/// `kdad table DB --format latex|markdown|csv`: a paper table of a results database.
struct TableCommand {
  std::filesystem::path database;
  reports::Selection selection;
  reports::TableOptions options;
  std::optional<std::filesystem::path> output;  ///< write here instead of standard output
};

/// `kdad compare BASELINE CANDIDATE`: a candidate's results against a baseline's.
struct CompareCommand {
  std::filesystem::path baseline;
  std::filesystem::path candidate;
  reports::Selection baseline_selection;   ///< shared filters plus --baseline-run
  reports::Selection candidate_selection;  ///< shared filters plus --candidate-run
  reports::CompareOptions options;
  bool json = false;
  std::optional<std::filesystem::path> markdown;  ///< also write the Markdown summary here
};

/// Slurm settings of a job-array plan (each empty/zero one is left to the cluster's defaults).
struct SlurmOptions {
  std::string partition;
  std::string account;
  std::string time_limit;          ///< e.g. "1-00:00:00"
  std::string memory;              ///< e.g. "32G"
  int gpus = 0;                    ///< per task
  int cpus = 0;                    ///< per task
  int throttle = 0;                ///< at most this many tasks at once (%N)
  int cells_per_task = 1;
  std::vector<std::string> extra;  ///< further "#SBATCH ..." lines, as given
};

/// `kdad plan MANIFEST [--slurm OUT] [--missing DB] [--submit]`: the grid as a Slurm job array.
struct PlanCommand {
  std::filesystem::path manifest;
  std::optional<std::filesystem::path> slurm;    ///< write the plan here; without it the cells are listed
  std::optional<std::filesystem::path> missing;  ///< only the cells not stored ok in this database
  bool submit = false;                           ///< run sbatch on the written script
  SlurmOptions options;
  std::map<std::string, std::string> forced_options;
};

/// `kdad run-cell MANIFEST --plan OUT [--task I]`: one array task's cells, into its own shard.
struct RunCellCommand {
  std::filesystem::path manifest;
  std::filesystem::path plan;
  std::optional<int> task;  ///< default: SLURM_ARRAY_TASK_ID
  datasets::ImageInputPolicy image_inputs;
};

/// `kdad merge SHARDS... --into DB`: results databases (e.g. one per Slurm task) combined into one.
struct MergeCommand {
  std::vector<std::filesystem::path> shards;
  std::filesystem::path into;
};

/// `kdad methods`: the registered methods with their options, defaults and presets.
struct MethodsCommand {};

/// `kdad bench`: Google Benchmark runner; `args` are passed through (e.g. --benchmark_filter).
struct BenchCommand {
  std::vector<std::string> args;
  std::optional<std::filesystem::path> dump_pixels;  ///< write the 100×256² benchmark pixels here
};

struct VersionCommand {};

/// Help was asked for; `text` is printed and the exit code is 0.
struct HelpCommand {
  std::string text;
};

using Command = std::variant<EvalCommand, RunCommand, ReproduceCommand, ReportCommand, TableCommand, CompareCommand, MergeCommand,
                             PlanCommand, RunCellCommand, MethodsCommand, MakeSyntheticCommand, VerifyDatasetCommand, ListFormatsCommand, BenchCommand,
                             VersionCommand, HelpCommand>;

/// A parsed invocation.
struct Invocation {
  Command command;
  std::string command_line;  ///< argv joined with shell quoting, for provenance
};

}  // namespace kdad::harness
