// Loading a sample described by a SampleRef.
#include "datasets/dataset.h"

#include "core/error.h"
#include "datasets/image_io.h"

#include <fmt/format.h>

namespace kdad::datasets {

Sample load_sample(const SampleRef& ref) {
  Sample sample;
  sample.image = read_image(ref.image);
  if (!ref.mask.empty()) {
    sample.mask = read_mask(ref.mask);
    if (sample.mask.size() != sample.image.size()) {
      throw DataError(ref.mask.string(),
                      fmt::format("mask is {}x{} but its image {} is {}x{}", sample.mask.cols,
                                  sample.mask.rows, ref.image.string(), sample.image.cols,
                                  sample.image.rows));
    }
  }
  sample.label = ref.label;
  sample.defect_type = ref.defect_type;
  sample.category = ref.category;
  sample.id = ref.id;
  return sample;
}

}  // namespace kdad::datasets
