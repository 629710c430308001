// Tests of the command-line boundary, the scores file reader and the protocol id.
#include "core/error.h"
#include "harness/cli/cli.h"
#include "harness/scoring/protocol.h"
#include "harness/scoring/scores_file.h"
#include "test_support.h"

#include <catch2/catch.hpp>

#include <set>

#include <fstream>

using namespace kdad;
using namespace kdad::harness;
using Catch::Matchers::Contains;

namespace {

Invocation parse(std::vector<const char*> args) {
  args.insert(args.begin(), "kdad");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("eval options are parsed into a typed command", "[harness]") {
  const auto invocation = parse({"eval", "--dataset", "my data", "--maps", "m", "--limit", "0.05", "--categories",
                                 "bottle,cable", "--rd4ad-policy", "zero", "--threads", "2", "--json"});
  const auto& eval = std::get<EvalCommand>(invocation.command);
  CHECK(eval.dataset_root == "my data");
  CHECK(eval.pro_limit == 0.05);
  CHECK(eval.categories == std::vector<std::string>{"bottle", "cable"});
  CHECK(eval.rd4ad_policy == metrics::Rd4adPolicy::zero);
  CHECK(eval.threads == 2);
  CHECK(eval.json);
  CHECK_FALSE(eval.store.has_value());
  CHECK(invocation.command_line == "kdad eval --dataset 'my data' --maps m --limit 0.05 --categories bottle,cable "
                                   "--rd4ad-policy zero --threads 2 --json");
}

TEST_CASE("bad command lines are usage errors naming the option", "[harness]") {
  CHECK_THROWS_WITH(parse({"evaluate"}), Contains("unknown command 'evaluate'"));
  CHECK_THROWS_WITH(parse({"eval", "--maps", "m"}), Contains("dataset"));
  CHECK_THROWS_WITH(parse({"eval", "--dataset", "d", "--maps", "m", "--limit", "0"}), Contains("--limit"));
  CHECK_THROWS_WITH(parse({"eval", "--dataset", "d", "--maps", "m", "--limit", "1.5"}), Contains("--limit"));
  CHECK_THROWS_WITH(parse({"eval", "--dataset", "d", "--maps", "m", "--limit", "abc"}), Contains("limit"));
  CHECK_THROWS_WITH(parse({"eval", "--dataset", "d", "--maps", "m", "--rd4ad-policy", "drop"}),
                    Contains("--rd4ad-policy") && Contains("drop"));
  CHECK_THROWS_WITH(parse({"eval", "--dataset", "d", "--maps", "m", "--bogus"}), Contains("bogus"));
  CHECK_THROWS_WITH(parse({"datasets", "shuffle"}), Contains("shuffle"));
  CHECK_THROWS_AS(parse({"eval", "--dataset", "d", "--maps", "m", "--threads", "-1"}), UsageError);
  CHECK(std::holds_alternative<HelpCommand>(parse({"eval", "--help"}).command));
  CHECK(std::holds_alternative<HelpCommand>(parse({}).command));
}

TEST_CASE("scores files: ids with or without extension / header / errors with line numbers", "[harness]") {
  test::TempDir dir;
  std::ofstream(dir / "s.csv") << "image,score\n# comment\nbottle/test/good/000.png, 0.5\n\nbottle/test/crack/001,1e-3\n";
  const auto scores = read_scores_file(dir / "s.csv");
  CHECK(scores.size() == 2);
  CHECK(scores.at("bottle/test/good/000") == 0.5f);
  CHECK(scores.at("bottle/test/crack/001") == 1e-3f);
  std::ofstream(dir / "bad.csv") << "a/b/c,0.1\na/b/d,zero\n";
  CHECK_THROWS_WITH(read_scores_file(dir / "bad.csv"), Contains("bad.csv:2") && Contains("'zero'"));
  std::ofstream(dir / "dup.csv") << "a/b/c,0.1\na/b/c.png,0.2\n";
  CHECK_THROWS_WITH(read_scores_file(dir / "dup.csv"), Contains("dup.csv:2") && Contains("duplicate"));
  std::ofstream(dir / "nan.csv") << "a/b/c,nan\n";
  CHECK_THROWS_WITH(read_scores_file(dir / "nan.csv"), Contains("not finite"));
  CHECK_THROWS_AS(read_scores_file(dir / "absent.csv"), DataError);
}

TEST_CASE("the protocol id depends on every setting that changes a value", "[harness]") {
  const EvalProtocol a;
  CHECK(protocol_id(a) == protocol_id(EvalProtocol{}));
  CHECK(protocol_id(a).size() == 14);
  // Each field on its own changes the id (a new field must be added here and to canonical_json).
  const std::vector<std::pair<const char*, void (*)(EvalProtocol&)>> changes = {
      {"pro_limit", [](EvalProtocol& p) { p.pro_limit = 0.05; }},
      {"resolution", [](EvalProtocol& p) { p.resolution = MapResolution::method; }},
      {"map_resize", [](EvalProtocol& p) { p.map_resize = "nearest"; }},
      {"mask_rule", [](EvalProtocol& p) { p.mask_rule = "bilinear_threshold"; }},
      {"image_score", [](EvalProtocol& p) { p.image_score = "scores_file"; }},
      {"rd4ad_policy", [](EvalProtocol& p) { p.rd4ad_policy = metrics::Rd4adPolicy::zero; }},
      {"rd4ad_thresholds", [](EvalProtocol& p) { p.rd4ad_thresholds = 100; }},
      {"rd4ad_fpr_limit", [](EvalProtocol& p) { p.rd4ad_fpr_limit = 0.2; }},
  };
  // The mask rule of the method resolution is part of its id; at native resolution it does not apply.
  EvalProtocol method_nearest = a, method_bilinear = a, native_nearest = a;
  method_nearest.resolution = method_bilinear.resolution = MapResolution::method;
  method_nearest.mask_resize = native_nearest.mask_resize = "nearest";
  method_bilinear.mask_resize = "bilinear_threshold";
  CHECK(protocol_id(method_nearest) != protocol_id(method_bilinear));
  CHECK(protocol_id(native_nearest) == protocol_id(a));
  // The default protocol's id is that of every kdad 0.1 store (its canonical JSON is unchanged).
  CHECK(canonical_json(a) == R"({"image_score":"map_max","map_resize":"bilinear","mask_rule":"nonzero","metrics_version":1,)"
                             R"("pro_limit":0.3,"rd4ad":{"fpr_limit":0.3,"policy":"skip","thresholds":200},"resolution":"native"})");
  std::set<std::string> ids = {protocol_id(a)};
  for (const auto& [field, change] : changes) {
    INFO(field);
    EvalProtocol b = a;
    change(b);
    CHECK(protocol_id(b) != protocol_id(a));
    ids.insert(protocol_id(b));
  }
  CHECK(ids.size() == changes.size() + 1);
}
