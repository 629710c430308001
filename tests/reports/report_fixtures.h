// Results databases built directly through the store, for the renderer and compare tests.
#pragma once

#include "reports/store.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kdad::test {

/// One cell to store: method label, category, seed and metric values (plus per-image scores).
struct FakeCell {
  std::string method;
  std::string category;
  std::int64_t seed = 0;
  std::map<std::string, double> metrics;
  std::string status = "ok";
  std::string protocol = "p-test";
  std::string dataset_fingerprint = "f";
  std::vector<double> scores;  ///< image scores; labels alternate normal, anomalous
  double fit_s = 10;
  double predict_p50_s = 0.1;
};

/// Writes `cells` into a new store at `file` in one run (git sha `git_sha`, calibration seconds
/// when > 0), each cell keyed by its fields.
void write_fake_store(const std::filesystem::path& file, const std::vector<FakeCell>& cells,
                      const std::string& git_sha = "aaaa1111", double calibration_s = 0);

}  // namespace kdad::test
