// Benchmarks of the methods through the Method interface: training steps and prediction.
#pragma once

#include "harness/bench/loader_benchmarks.h"
#include "methods/registry.h"

namespace kdad::harness {

/// methods/<id>/fit_step/256/batch:B (the whole training pipeline: loading, synthesis,
/// forward, backward, Adam; steps/s) and methods/<id>/predict/256/batch:B (images/s), for every
/// registered method with its paper options except pretrained = none and the epoch count.
void register_method_benchmarks(const methods::MethodRegistry& registry, LoaderFixture& fixture);

}  // namespace kdad::harness
