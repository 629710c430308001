// The Method interface every anomaly detector implements (torch-free, so the harness, reports
// and most tests compile without torch). DESIGN.md §2.
#pragma once

#include "core/error.h"
#include "core/sample.h"
#include "datasets/dataset.h"
#include "datasets/preprocess.h"
#include "datasets/synthesis.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kdad::methods {

/// What a method is, for provenance and checkpoints.
struct MethodInfo {
  std::string id;                 ///< registry id, e.g. "rd"
  std::string canonical_options;  ///< every option with defaults filled, "name=value;..." sorted by name
  int checkpoint_version = 1;     ///< bumped whenever saved state changes meaning
  std::string weights;            ///< teacher weights file + SHA-256, or "none" (random init)
};

/// A progress report from inside fit or predict.
struct ProgressEvent {
  std::string phase;          ///< "fit" or "predict"
  int epoch = 0;              ///< 1-based; 0 when not applicable
  int epochs = 0;
  std::int64_t step = 0;      ///< 1-based step within the whole phase
  std::int64_t steps = 0;     ///< total steps of the phase (0 = unknown)
  std::optional<double> loss;
  double images_per_second = 0;
};

/// Receives progress; implemented by the harness.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void report(const ProgressEvent& event) = 0;
};

/// The normal training images of one category.
struct TrainingData {
  const datasets::Dataset& dataset;
  std::vector<datasets::SampleRef> samples;
  std::string category;  ///< e.g. "bottle" (methods with per-category settings read it)
};

/// Everything fit needs besides the data.
struct FitContext {
  std::string device = "cpu";  ///< "cpu", "cuda" or "cuda:N"
  std::uint64_t seed = 0;
  int threads = 1;             ///< data-loading workers and intra-op threads
  ProgressSink* progress = nullptr;
  /// A synthesiser chosen by the study instead of the method's own default, if any.
  std::shared_ptr<const datasets::AnomalySynthesizer> synthesizer;
};

/// One anomaly detector. Not thread-safe; the runner uses one instance per cell.
class Method {
 public:
  virtual ~Method() = default;
  virtual MethodInfo info() const = 0;
  /// Trains on normal images. Throws kdad::Error subclasses for bad inputs.
  virtual void fit(const TrainingData& data, const FitContext& context) = 0;
  /// Anomaly maps (CV_32FC1, at the method's working resolution) and image scores for a batch of
  /// samples at their original resolution. The runner resizes maps to the ground truth.
  virtual std::vector<Prediction> predict(const std::vector<Sample>& batch) = 0;
  /// How a test image becomes the network's input (resize, centre crop) and how its ground truth
  /// follows (the mask rule of the method's official evaluation). The scoring path uses it to place
  /// a map back where its crop came from, and to score at the method's own resolution. The default
  /// (size rule `keep`, no crop) is a method whose maps already cover the whole image.
  virtual datasets::PreprocessSpec input_transform() const {
    datasets::PreprocessSpec spec;
    spec.size_rule = datasets::PreprocessSpec::SizeRule::keep;
    return spec;
  }
  /// Writes the trained state (and its format version and options) into `folder`.
  virtual void save(const std::filesystem::path& folder) const = 0;
  /// Reads a state written by save() onto `device` ("cpu", "cuda", "cuda:N"; the one it will
  /// predict on); throws ConfigError naming the file on a version or option mismatch.
  virtual void load(const std::filesystem::path& folder, const std::string& device) = 0;
  /// Loads a trained state to evaluate without training: a folder written by save(), or a file in
  /// the layout of the method's official code (RD4AD/MRKD {'bn', 'decoder'}, MKD's cloner state
  /// dict). `context` gives the device and the cell's seed (test-time randomness such as MRKD's
  /// masks and MKD's SmoothGrad noise). Methods without an official layout read folders only.
  virtual void load_trained(const std::filesystem::path& path, const FitContext& context) {
    (void)context;
    if (std::filesystem::is_directory(path)) return load(path, context.device);
    throw ConfigError(path.string(), info().id + " reads only checkpoint folders written by kdad");
  }
};

}  // namespace kdad::methods
