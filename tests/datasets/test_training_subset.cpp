// The seeded training-image cap: size, order, independence from the reader's order, nesting.
#include "datasets/training_subset.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace kdad;
using namespace kdad::datasets;

namespace {

CategorySplit split_of(int count, bool reversed) {
  CategorySplit split;
  for (int i = 0; i < count; ++i) {
    SampleRef ref;
    ref.id = "c/train/good/" + std::to_string(reversed ? count - 1 - i : i);
    split.train.push_back(ref);
  }
  return split;
}

std::vector<std::string> ids(const CategorySplit& split) {
  std::vector<std::string> out;
  for (const auto& ref : split.train) out.push_back(ref.id);
  return out;
}

}  // namespace

TEST_CASE("the training cap keeps a fixed nested subset in the reader's order", "[datasets][subset]") {
  CategorySplit all = split_of(200, false);
  limit_training_images(all, 0);
  CHECK(all.train.size() == 200);
  CategorySplit small = split_of(200, false), large = split_of(200, false), other_order = split_of(200, true);
  limit_training_images(small, 20);
  limit_training_images(large, 50);
  limit_training_images(other_order, 20);
  REQUIRE(small.train.size() == 20);
  REQUIRE(large.train.size() == 50);
  const auto kept = ids(small);
  // Not simply the first images, in the original order, the same set whatever the reader's order.
  CHECK(kept != ids(split_of(20, false)));
  CHECK(std::is_sorted(kept.begin(), kept.end(), [](const std::string& a, const std::string& b) {
    return std::stoi(a.substr(a.rfind('/') + 1)) < std::stoi(b.substr(b.rfind('/') + 1));
  }));
  const auto reordered = ids(other_order);
  CHECK(std::set<std::string>(kept.begin(), kept.end()) == std::set<std::string>(reordered.begin(), reordered.end()));
  const auto larger = ids(large);
  const std::set<std::string> large_set(larger.begin(), larger.end());
  for (const auto& id : kept) CHECK(large_set.count(id) == 1);
  CategorySplit few = split_of(5, false);
  limit_training_images(few, 20);
  CHECK(few.train.size() == 5);
}

TEST_CASE("held-out validation images: a fixed fraction, the same whatever the order, never left in training", "[datasets]") {
  CategorySplit forward = split_of(40, false), backward = split_of(40, true);
  CHECK(hold_out_validation(forward, 0.1) == 4);
  CHECK(hold_out_validation(backward, 0.1) == 4);
  CHECK(forward.train.size() == 36);
  const auto trained_ids = ids(forward);
  const std::set<std::string> trained(trained_ids.begin(), trained_ids.end());
  std::set<std::string> held, held_backward;
  for (const auto& ref : forward.validation) held.insert(ref.id);
  for (const auto& ref : backward.validation) held_backward.insert(ref.id);
  CHECK(held == held_backward);
  for (const auto& id : held) CHECK(trained.count(id) == 0);
  // At least one is held out and at least one stays; a split that has validation images keeps them.
  CategorySplit two = split_of(2, false);
  CHECK(hold_out_validation(two, 0.01) == 1);
  CHECK(two.train.size() == 1);
  CategorySplit one = split_of(1, false);
  CHECK(hold_out_validation(one, 0.5) == 0);
  CHECK(hold_out_validation(forward, 0.1) == 0);
  CHECK(forward.validation.size() == 4);
}
