// Fake results databases for the renderer and compare tests.
#include "report_fixtures.h"

#include <fmt/format.h>

namespace kdad::test {

void write_fake_store(const std::filesystem::path& file, const std::vector<FakeCell>& cells, const std::string& git_sha,
                      double calibration_s) {
  reports::ResultsStore store(file);
  reports::RunRecord run;
  run.uuid = fmt::format("{}-0000-4000-8000-{:012}", git_sha.substr(0, 8), cells.size());
  run.command = "run";
  run.command_line = "kdad run fake.toml";
  run.started_at = "2026-12-01T00:00:00Z";
  run.kdad_version = "0.1.0";
  run.git_sha = git_sha;
  run.build_type = "Release";
  run.compiler = "test";
  run.host = "test";
  run.library_versions_json = "{}";
  if (calibration_s > 0) run.calibration_json = fmt::format(R"({{"benchmark":"test","seconds":{}}})", calibration_s);
  const auto run_id = store.begin_run(run);
  for (const auto& f : cells) {
    reports::CellRecord c;
    c.key = fmt::format("{}|{}|{}|{}|{}", f.method, f.category, f.seed, f.protocol, f.dataset_fingerprint);
    c.kind = "train_eval";
    c.method_id = f.method;
    c.method_label = f.method;
    c.method_options = "opt=" + f.method;
    c.dataset_format = "mvtec_ad";
    c.dataset_root = "/data/mvtec";
    c.dataset_fingerprint = f.dataset_fingerprint;
    c.category = f.category;
    c.seed = f.seed;
    c.protocol_id = f.protocol;
    c.protocol_json = R"({"pro_limit":0.3})";
    c.weights = "wide_resnet50_2-95faca4d.pth sha256:0";
    c.device = "cpu";
    c.status = f.status;
    if (f.status != "ok") c.message = "boom";
    c.started_at = "t0";
    c.ended_at = "t1";
    for (const auto& [name, value] : f.metrics) c.metrics.push_back({name, value});
    if (f.status == "ok") {
      c.timings.push_back({"fit", 1, f.fit_s, std::nullopt, std::nullopt});
      c.timings.push_back({"predict_per_image", 10, 10 * f.predict_p50_s, f.predict_p50_s, 1.2 * f.predict_p50_s});
    }
    for (std::size_t i = 0; i < f.scores.size(); ++i) {
      c.images.push_back({fmt::format("{}/test/x/{:03}", f.category, i), i % 2 ? "crack" : "good", static_cast<int>(i % 2),
                          f.scores[i]});
    }
    store.write_cell(run_id, c);
  }
  store.end_run(run_id, "ok", "t2");
}

}  // namespace kdad::test
