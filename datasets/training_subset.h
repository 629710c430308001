// A seeded cap on the training images of a category, so that quick studies on large one-class
// sets (CIFAR-10, Fashion-MNIST: 5,000–6,000 images per class) stay short.
#pragma once

#include "datasets/dataset.h"

#include <cstddef>

namespace kdad::datasets {

/// Keeps at most `limit` training images (0 = all): those whose stable_hash(id) is smallest, in
/// their original order. The same subset on every machine and run whatever the reader's order,
/// and nested: a larger limit keeps every image of a smaller one.
void limit_training_images(CategorySplit& split, std::size_t limit);

/// Gives a split without validation images some: moves round(fraction · n) of its n training
/// images (at least 1, at most n − 1) into `split.validation`, those whose stable_hash(id) is
/// smallest, in their original order. Fixed for a dataset (no seed), so every method and seed
/// holds out the same images, and they are never trained on. A split that has validation images
/// is left alone. Returns the number moved; `fraction` in (0, 1).
std::size_t hold_out_validation(CategorySplit& split, double fraction);

}  // namespace kdad::datasets
