// Training and test batches with prefetch on worker threads.
#include "datasets/loader.h"

#include <numeric>

namespace kdad::datasets {

SampleTransform make_standard_transform(PreprocessSpec spec, std::shared_ptr<const AnomalySynthesizer> synthesizer) {
  return [spec, synthesizer](const Sample& sample, Rng& rng) {
    PreparedSample out;
    out.id = sample.id;
    out.label = sample.label;
    const cv::Mat image = prepare_image(sample.image, spec);
    if (synthesizer) {
      SynthesisResult forged = synthesizer->synthesize(image, rng);
      out.image = to_float_image(forged.image, spec.imagenet_normalize);
      out.clean = to_float_image(forged.clean, spec.imagenet_normalize);
      out.mask = std::move(forged.mask);
      out.anomalous = forged.anomalous;
    } else {
      out.image = to_float_image(image, spec.imagenet_normalize);
      if (!sample.mask.empty()) out.mask = prepare_mask(sample.mask, spec);
      out.anomalous = sample.label == Label::anomalous;
    }
    return out;
  };
}

BatchLoader::BatchLoader(const Dataset& dataset, std::vector<SampleRef> samples, SampleTransform transform,
                         LoaderOptions options)
    : dataset_(dataset), samples_(std::move(samples)), transform_(std::move(transform)), options_(options) {
  order_.resize(samples_.size());
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  if (options_.shuffle && order_.size() > 1) {
    Rng rng = Rng(options_.seed).derive("loader-order").derive(options_.epoch);
    for (std::size_t i = order_.size() - 1; i > 0; --i) {
      std::swap(order_[i], order_[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i)))]);
    }
  }
  if (options_.drop_last) order_.resize(order_.size() - order_.size() % static_cast<std::size_t>(options_.batch_size));
  slots_.resize(order_.size());
  filled_.assign(order_.size(), 0);
  for (int t = 0; t < options_.threads; ++t) workers_.emplace_back([this] { work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  advance_.notify_all();
  for (auto& worker : workers_) worker.join();
}

std::size_t BatchLoader::batch_count() const {
  const auto batch = static_cast<std::size_t>(options_.batch_size);
  return (order_.size() + batch - 1) / batch;
}

BatchLoader::Slot BatchLoader::produce(std::size_t position) const {
  Slot slot;
  try {
    const SampleRef& ref = samples_[order_[position]];
    Rng rng = synthesis_rng(options_.seed, ref.id, options_.epoch);
    slot.sample = transform_(dataset_.load(ref), rng);
  } catch (...) {
    slot.error = std::current_exception();
  }
  return slot;
}

void BatchLoader::work() {
  const std::size_t window = static_cast<std::size_t>(options_.prefetch_batches + 1) * static_cast<std::size_t>(options_.batch_size);
  for (;;) {
    std::size_t position = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      advance_.wait(lock, [&] { return stop_ || next_to_claim_ >= order_.size() || next_to_claim_ < consumed_ + window; });
      if (stop_ || next_to_claim_ >= order_.size()) return;
      position = next_to_claim_++;
    }
    Slot slot = produce(position);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      slots_[position] = std::move(slot);
      filled_[position] = 1;
    }
    ready_.notify_all();
  }
}

std::optional<std::vector<PreparedSample>> BatchLoader::next() {
  if (consumed_ >= order_.size()) return std::nullopt;
  const std::size_t end = std::min(order_.size(), consumed_ + static_cast<std::size_t>(options_.batch_size));
  std::vector<PreparedSample> batch;
  batch.reserve(end - consumed_);
  for (std::size_t position = consumed_; position < end; ++position) {
    Slot slot;
    if (workers_.empty()) {
      slot = produce(position);
    } else {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [&] { return filled_[position] != 0; });
      slot = std::move(slots_[position]);
    }
    if (slot.error) std::rethrow_exception(slot.error);
    batch.push_back(std::move(*slot.sample));
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    consumed_ = end;
  }
  advance_.notify_all();
  return batch;
}

}  // namespace kdad::datasets
