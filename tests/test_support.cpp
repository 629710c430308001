// Shared helpers for the tests.
#include "test_support.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sys/wait.h>
#include <random>
#include <sstream>

namespace kdad::test {

TempDir::TempDir() {
  std::random_device device;
  path_ = std::filesystem::temp_directory_path() / ("kdad-test-" + std::to_string(device()) + std::to_string(device()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path data_dir() { return KDAD_TEST_DATA_DIR; }

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void skip_test(const std::string& why) {
  std::cout << kSkipMarker << ": " << why << std::endl;
  WARN("skipped: " << why);
}

bool run_reference_script(const std::string& script, const std::vector<std::string>& args) {
  std::string command = "/usr/bin/python3 '" + (data_dir() / script).string() + "'";
  for (const auto& arg : args) command += " '" + arg + "'";
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) {
    FAIL(script << " did not run to completion (status " << status << ")");
  }
  const int code = WEXITSTATUS(status);
  if (code == kSkipExitCode) {
    skip_test(script + " reports a missing dependency (run ci/setup.sh)");
    return false;
  }
  if (code != 0) FAIL(script << " failed with exit code " << code << " (see its output above)");
  return true;
}

}  // namespace kdad::test
