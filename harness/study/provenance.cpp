// Provenance of an invocation.
#include "harness/study/provenance.h"

#include "core/build_info.h"
#include "core/clock.h"
#include "reports/sqlite.h"

#include <boost/version.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/core/version.hpp>
#include <unistd.h>

namespace kdad::harness {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

std::string library_versions_json(const std::map<std::string, std::string>& method_libraries) {
  const BuildInfo build = build_info();
  nlohmann::json versions = {
      {"opencv", CV_VERSION},
      {"sqlite", reports::sqlite_version()},
      {"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      {"boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100)},
      {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                    NLOHMANN_JSON_VERSION_PATCH)},
      {"compiler", build.compiler},
  };
  for (const auto& [library, version] : method_libraries) versions[library] = version;
  return versions.dump();
}

reports::RunRecord make_run_record(const std::string& command, const std::string& command_line,
                                   const std::map<std::string, std::string>& method_libraries) {
  const BuildInfo build = build_info();
  reports::RunRecord run;
  run.uuid = random_uuid();
  run.command = command;
  run.command_line = command_line;
  run.started_at = utc_now_iso8601();
  run.kdad_version = build.version;
  run.git_sha = build.git_sha;
  run.git_dirty = build.git_dirty;
  run.build_type = build.build_type;
  run.compiler = build.compiler;
  run.host = host_name();
  run.library_versions_json = library_versions_json(method_libraries);
  run.pid = static_cast<std::int64_t>(getpid());
  return run;
}

}  // namespace kdad::harness
