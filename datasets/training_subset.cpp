// The seeded training-image cap.
#include "datasets/training_subset.h"

#include "core/rng.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace kdad::datasets {

void limit_training_images(CategorySplit& split, std::size_t limit) {
  if (limit == 0 || split.train.size() <= limit) return;
  std::vector<std::pair<std::uint64_t, std::string>> ranked;
  for (const auto& ref : split.train) ranked.emplace_back(stable_hash("train-subset/" + ref.id), ref.id);
  std::nth_element(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(limit), ranked.end());
  std::set<std::string> kept;
  for (std::size_t i = 0; i < limit; ++i) kept.insert(ranked[i].second);
  std::vector<SampleRef> train;
  for (auto& ref : split.train) {
    if (kept.count(ref.id)) train.push_back(std::move(ref));
  }
  split.train = std::move(train);
}

std::size_t hold_out_validation(CategorySplit& split, double fraction) {
  if (!split.validation.empty() || split.train.size() < 2) return 0;
  const auto n = split.train.size();
  const auto count = std::clamp<std::size_t>(static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n))), 1, n - 1);
  std::vector<std::pair<std::uint64_t, std::string>> ranked;
  for (const auto& ref : split.train) ranked.emplace_back(stable_hash("validation-hold-out/" + ref.id), ref.id);
  std::nth_element(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(count), ranked.end());
  std::set<std::string> held;
  for (std::size_t i = 0; i < count; ++i) held.insert(ranked[i].second);
  std::vector<SampleRef> train;
  for (auto& ref : split.train) (held.count(ref.id) ? split.validation : train).push_back(std::move(ref));
  split.train = std::move(train);
  return count;
}

}  // namespace kdad::datasets
