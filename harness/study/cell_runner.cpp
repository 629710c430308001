// One cell of a study.
#include "harness/study/cell_runner.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/parallel.h"
#include "datasets/image_io.h"
#include "datasets/training_subset.h"
#include "harness/cli/allocator_choice.h"
#include "harness/bench/bench_support.h"
#include "harness/scoring/gallery.h"
#include "harness/scoring/protocol.h"
#include "harness/scoring/scoring.h"
#include "harness/scoring/submission.h"
#include "metrics/threshold_f1.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <functional>
#include <chrono>
#include <cstdlib>

namespace kdad::harness {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(position);
  const std::size_t high = std::min(low + 1, values.size() - 1);
  return values[low] + (values[high] - values[low]) * (position - static_cast<double>(low));
}

std::string environment_json(const CellRunContext& context) {
  auto env = [](const char* name) -> nlohmann::json {
    const char* value = std::getenv(name);
    return value ? nlohmann::json(value) : nlohmann::json(nullptr);
  };
  // GPU name and memory, CUDA and cuDNN versions and flags, when the cell runs on one.
  const std::string accelerator = context.registry.describe_device(context.manifest.device);
  return nlohmann::json({{"threads", context.threads},
                         {"predict_batch", context.manifest.predict_batch},
                         {"device", context.manifest.device},
                         {"accelerator", accelerator.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json::parse(accelerator, nullptr, false)},
                         {"host_allocator", to_string(allocator_choice())},
                         {"GLIBC_TUNABLES", env("GLIBC_TUNABLES")},
                         {"OMP_NUM_THREADS", env("OMP_NUM_THREADS")},
                         {"OPENBLAS_NUM_THREADS", env("OPENBLAS_NUM_THREADS")}})
      .dump();
}

struct Timed {
  std::vector<double> per_image_seconds;  // after the warm-up batch
  double seconds = 0;                     // all batches after the warm-up
  std::size_t timed_images = 0;
};

// Receives each predicted sample, its map scored by the protocol (scoring.h), and the map in the
// image frame (the same matrix at native resolution; at method resolution empty unless exported
// or `with_frame`).
using OnScored = std::function<void(const Sample&, metrics::ScoredImage&&, const cv::Mat& in_frame)>;

// Predicts `refs` in batches and hands each result to `on_scored`. With `export_folder`, each map
// is also written, in the image frame, as <export>/<id>.tiff.
Timed predict_all(methods::Method& method, const datasets::Dataset& dataset, const std::vector<datasets::SampleRef>& refs,
                  const CellRunContext& context, const fs::path& export_folder, const OnScored& on_scored,
                  bool with_frame = false) {
  Timed out;
  const MapFrame frame = method.input_transform();
  const auto batch_size = static_cast<std::size_t>(context.manifest.predict_batch);
  for (std::size_t begin = 0; begin < refs.size(); begin += batch_size) {
    const std::size_t end = std::min(refs.size(), begin + batch_size);
    std::vector<Sample> batch(end - begin);
    parallel_for(batch.size(), context.threads, [&](std::size_t i, int) { batch[i] = dataset.load(refs[begin + i]); });
    const auto start = Clock::now();
    std::vector<Prediction> predictions = method.predict(batch);
    context.registry.synchronize_device(context.manifest.device);  // the time covers the device's work
    const double elapsed = seconds_since(start);
    if (predictions.size() != batch.size()) {
      throw InternalError(method.info().id, fmt::format("predict returned {} predictions for {} images", predictions.size(), batch.size()));
    }
    if (begin > 0) {  // the first batch warms up caches and allocators
      out.seconds += elapsed;
      out.timed_images += batch.size();
      for (std::size_t i = 0; i < batch.size(); ++i) out.per_image_seconds.push_back(elapsed / static_cast<double>(batch.size()));
    }
    context.progress.report({"predict", 0, 0, static_cast<std::int64_t>(end), static_cast<std::int64_t>(refs.size()),
                             std::nullopt, static_cast<double>(batch.size()) / std::max(elapsed, 1e-9)});
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Sample& sample = batch[i];
      const Prediction& p = predictions[i];
      metrics::ScoredImage scored = score_map(sample.id, sample.label, p.score, p.anomaly_map, sample.mask, sample.image.size(),
                                              frame, context.manifest.protocol);
      // Exported maps are always in the image frame: the layout of the official evaluation scripts.
      // At method resolution that costs a resize, so it is made only when someone takes it.
      cv::Mat in_frame;
      if (context.manifest.protocol.resolution == MapResolution::native) {
        in_frame = scored.map;
      } else if (!export_folder.empty() || with_frame) {
        in_frame = map_in_image_frame(p.anomaly_map, sample.image.size(), frame);
      }
      if (!export_folder.empty()) datasets::write_anomaly_map(export_folder / (sample.id + ".tiff"), in_frame);
      if (on_scored) on_scored(sample, std::move(scored), in_frame);
    }
  }
  return out;
}

}  // namespace

const datasets::Dataset& DatasetCache::get(const ManifestDataset& dataset) {
  auto& slot = opened_[&dataset];
  if (!slot) slot = datasets::open_dataset(dataset.format, dataset.root, dataset.options);
  return *slot;
}

fs::path cell_artifacts(const Manifest& manifest, const Cell& cell) { return manifest.artifacts / cell.key.substr(0, 16); }

reports::CellRecord run_cell(const Cell& cell, const CellRunContext& context) {
  const Manifest& manifest = context.manifest;
  reports::CellRecord record;
  record.key = cell.key;
  record.kind = "train_eval";
  record.method_id = cell.method->id;
  record.method_options = cell.method->options.canonical();
  record.method_label = cell.method->label;
  record.dataset_format = datasets::format_name(cell.dataset->format);
  record.dataset_root = fs::absolute(cell.dataset->root).lexically_normal().string();
  record.dataset_fingerprint = cell.dataset_fingerprint;
  record.category = cell.category;
  record.seed = static_cast<std::int64_t>(cell.seed);
  record.protocol_id = protocol_id(manifest.protocol);
  record.protocol_json = canonical_json(manifest.protocol);
  record.device = manifest.device;
  record.environment_json = environment_json(context);
  record.determinism_json = nlohmann::json({{"seed", cell.seed}, {"deterministic_algorithms", true},
                                            {"synthesis_stream", "Rng(seed) -> sample id -> epoch"}})
                                .dump();
  record.started_at = utc_now_iso8601();
  nlohmann::json details;
  nlohmann::json details_extra = nlohmann::json::object();
  try {
    // First: it empties the host cache, so that the peak RSS below is this cell's own.
    context.registry.apply_environment(
        {cell.seed, context.threads, manifest.device, true, allocator_choice() == AllocatorChoice::caching});
    reset_peak_rss();
    context.registry.reset_device_peak(manifest.device);
    const datasets::Dataset& dataset = context.datasets.get(*cell.dataset);
    std::size_t held_out = 0;
    const datasets::CategorySplit split = cell_split(dataset, *cell.dataset, cell.category, manifest.protocol, &held_out);
    std::unique_ptr<methods::Method> method = context.registry.create(cell.method->id, cell.method->options);
    record.weights = method->info().weights;

    methods::FitContext fit_context;
    fit_context.device = manifest.device;
    fit_context.seed = cell.seed;
    fit_context.threads = context.threads;
    fit_context.progress = &context.progress;
    const fs::path artifacts = cell_artifacts(manifest, cell);
    std::optional<double> fit_seconds;
    if (cell.checkpoint.empty()) {
      const auto fit_start = Clock::now();
      method->fit({dataset, split.train, cell.category}, fit_context);
      context.registry.synchronize_device(manifest.device);
      fit_seconds = seconds_since(fit_start);
      if (manifest.save_checkpoints) method->save(artifacts / "checkpoint");
    } else {
      record.kind = "checkpoint_eval";  // a given trained state is evaluated; nothing is trained
      method->load_trained(cell.checkpoint, fit_context);
    }
    record.weights = method->info().weights;

    const fs::path export_folder = manifest.export_maps ? artifacts / "maps" : fs::path();
    // SegF1's threshold first: mean + 3σ of every pixel of the defect-free validation maps (none kept).
    metrics::PixelStatistics validation;
    if (manifest.protocol.seg_f1) {
      if (split.validation.empty()) {
        throw DataError(cell.category, "SegF1 needs validation images, and too few training images are left to hold some out");
      }
      // Exported too, so that `kdad eval --seg-f1` on the exported maps gives the same SegF1.
      predict_all(*method, dataset, split.validation, context, export_folder,
                  [&](const Sample&, metrics::ScoredImage&& image, const cv::Mat&) { validation.add(image.map); });
    }
    const std::optional<double> threshold =
        manifest.protocol.seg_f1 ? std::optional<double>(validation_threshold(validation)) : std::nullopt;
    std::vector<metrics::ScoredImage> scored;  // labelled test images, as the protocol scores them
    std::vector<char> pixel_truth;             // per scored image: normal, or anomalous with a mask
    const Timed predicted = predict_all(*method, dataset, split.test, context, export_folder,
                                        [&](const Sample& sample, metrics::ScoredImage&& image, const cv::Mat&) {
                                          pixel_truth.push_back(sample.label == Label::normal || !sample.mask.empty());
                                          scored.push_back(std::move(image));
                                        });
    // Private test images (MVTec AD 2): exported for the evaluation server, never scored.
    std::optional<Mvtec2Submission> submission;
    if (!split.unlabelled.empty() && manifest.export_maps) {
      if (dataset.format() == "mvtec_ad2") submission.emplace(artifacts / "submission", threshold);
      predict_all(*method, dataset, split.unlabelled, context, export_folder,
                  [&](const Sample& sample, metrics::ScoredImage&&, const cv::Mat& in_frame) {
                    if (submission) submission->add(sample.id, in_frame);
                  },
                  submission.has_value());
    }

    const auto evaluate_start = Clock::now();
    metrics::CategoryMetrics result = evaluate_scored(scored, pixel_truth, dataset.has_pixel_ground_truth(),
                                                      metric_options(manifest.protocol, context.threads));
    if (submission) details_extra["mvtec_ad2_submission"] = submission->summary();
    if (manifest.protocol.seg_f1 && dataset.has_pixel_ground_truth()) {
      result.seg_f1 = seg_f1(scored, pixel_truth, validation, split.validation.size());
    }
    const double evaluate_seconds = seconds_since(evaluate_start);

    add_metric_records(result, record);
    record.images = image_records(split.test, scored);
    if (manifest.gallery) {
      GallerySpec gallery;
      if (manifest.protocol.resolution == MapResolution::method) gallery.map_frame = method->input_transform();
      record.artifacts = write_gallery(dataset, split.test, scored, artifacts / "gallery", gallery);
    }
    if (fit_seconds) record.timings.push_back({"fit", 1, *fit_seconds, std::nullopt, std::nullopt});
    record.timings.push_back({"predict_per_image", static_cast<std::int64_t>(predicted.timed_images), predicted.seconds,
                              percentile(predicted.per_image_seconds, 0.5), percentile(predicted.per_image_seconds, 0.95)});
    record.timings.push_back({"evaluate", 1, evaluate_seconds, std::nullopt, std::nullopt});
    details = metric_details(result);
    details.update(details_extra);
    details["train_images"] = split.train.size();
    if (manifest.protocol.seg_f1) {
      details["validation_images"] = split.validation.size();
      details["validation_source"] = held_out > 0 ? "held out from the training images" : "the dataset's validation split";
    }
    details["predict_images_per_second"] =
        predicted.seconds > 0 ? static_cast<double>(predicted.timed_images) / predicted.seconds : 0.0;
    details["artifacts"] = artifacts.string();
    if (manifest.protocol.resolution == MapResolution::method) {
      details["mask_resize"] = datasets::to_string(method->input_transform().mask_rule);
    }
    if (!cell.checkpoint.empty()) details["checkpoint"] = cell.checkpoint.string();
    if (cell.dataset->max_train_images > 0) details["max_train_images"] = cell.dataset->max_train_images;
    record.status = "ok";
  } catch (const std::exception& e) {
    record.status = "failed";
    const std::string message = e.what();
    record.message = message.substr(0, message.find('\n'));  // torch appends a stack trace
  }
  record.details_json = details.is_null() ? "{}" : details.dump();
  record.peak_rss_bytes = static_cast<std::int64_t>(proc_status_kib("VmHWM")) * 1024;
  record.peak_device_bytes = context.registry.device_peak(manifest.device);
  record.ended_at = utc_now_iso8601();
  return record;
}

}  // namespace kdad::harness
