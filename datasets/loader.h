// Training and test batches: decode, preprocess and synthesise on worker threads with prefetch,
// delivered in an order that does not depend on the number of threads.
#pragma once

#include "datasets/dataset.h"
#include "datasets/preprocess.h"
#include "datasets/synthesis.h"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace kdad::datasets {

/// One sample as a method consumes it.
struct PreparedSample {
  std::string id;
  Label label = Label::normal;
  FloatImage image;  ///< network input: CHW RGB (forged when a synthesiser is used)
  FloatImage clean;  ///< the clean image when a synthesiser is used (MRKD's target); else empty
  cv::Mat mask;      ///< CV_8UC1 0/1 at network resolution: synthesised or ground truth; may be empty
  bool anomalous = false;  ///< true when `image` holds a synthetic or real anomaly
};

/// Turns a loaded sample into a prepared one; `rng` is the sample's own stream for this epoch.
using SampleTransform = std::function<PreparedSample(const Sample& sample, Rng& rng)>;

/// Resize/crop with `spec`, then (when given) forge an anomaly at the working resolution, then
/// convert to floats. Without a synthesiser the ground-truth mask is carried along.
SampleTransform make_standard_transform(PreprocessSpec spec, std::shared_ptr<const AnomalySynthesizer> synthesizer);

struct LoaderOptions {
  int batch_size = 16;
  int threads = 1;            ///< worker threads; 0 = load in the calling thread
  int prefetch_batches = 2;   ///< batches prepared ahead of the consumer
  bool shuffle = false;
  bool drop_last = false;     ///< drop a final incomplete batch
  std::uint64_t seed = 0;     ///< shuffling and per-sample streams
  std::uint64_t epoch = 0;    ///< new order and new synthesis every epoch
};

/// Iterates one epoch over `samples`. The order is a seeded permutation of (seed, epoch); each
/// sample's transform gets Rng(seed) → sample id → epoch. Results are therefore identical for any
/// thread count. A failure while loading a sample is rethrown by next() at that sample's turn.
class BatchLoader {
 public:
  BatchLoader(const Dataset& dataset, std::vector<SampleRef> samples, SampleTransform transform, LoaderOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  /// The next batch, or nothing at the end of the epoch.
  std::optional<std::vector<PreparedSample>> next();
  std::size_t batch_count() const;

 private:
  struct Slot {
    std::optional<PreparedSample> sample;
    std::exception_ptr error;
  };
  void work();
  Slot produce(std::size_t position) const;

  const Dataset& dataset_;
  std::vector<SampleRef> samples_;
  SampleTransform transform_;
  LoaderOptions options_;
  std::vector<std::size_t> order_;

  std::mutex mutex_;
  std::condition_variable ready_;    ///< a slot was filled
  std::condition_variable advance_;  ///< the consumer moved on, or stop
  std::vector<Slot> slots_;
  std::vector<char> filled_;
  std::size_t next_to_claim_ = 0;
  std::size_t consumed_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace kdad::datasets
