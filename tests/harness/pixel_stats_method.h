// A test-only method for the runner's tests (no torch): per-pixel statistics of grey training
// images; anomaly map = |x − mean| / (std + 0.05) at a small working size, score = map max.
#pragma once

#include "methods/registry.h"

namespace kdad::test {

/// Registers "pixel_stats" with options size (working side, 8..256), sleep_ms (per training
/// image, for kill tests), fail_category (fit throws for this category), jitter (seeded noise
/// added to the map, to check seed determinism), frame (stretch or crop: the input transform).
/// Presets: tiny (size 16).
/// Also sets an environment setup that records every CellEnvironment in `environments`.
void register_test_methods(methods::MethodRegistry& registry, std::vector<methods::CellEnvironment>* environments = nullptr);

}  // namespace kdad::test
