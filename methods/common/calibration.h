// The speed calibration workload: a small convolution stack timed forward and backward, the kind
// of work every KD method's training and prediction is made of.
#pragma once

#include "methods/registry.h"

#include <string>

namespace kdad::methods {

/// Times 4 × (3×3 conv, 64 channels, ReLU) on an 8×64×64×64 batch, forward and backward, on
/// `device` with `threads` torch threads: two warm-up repeats, then the median of nine.
/// About 0.1 s per repeat on a 2-core CPU.
SpeedCalibration measure_conv_calibration(const std::string& device, int threads);

}  // namespace kdad::methods
