// Shared helpers for the tests: temporary folders and fixture paths.
#pragma once

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace kdad::test {

/// A fresh folder under the system temp directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// tests/data in the source tree.
std::filesystem::path data_dir();

/// Bytes of a file, for checking that a file was left untouched.
std::string file_bytes(const std::filesystem::path& file);

/// A file of raw values written by a reference script (numpy's tofile), read as T.
template <class T>
std::vector<T> read_raw(const std::filesystem::path& file) {
  const std::string bytes = file_bytes(file);
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

/// The exit code of a reference script whose dependency (a Python module, a Debian package) is
/// not installed; every other non-zero exit is a failure.
inline constexpr int kSkipExitCode = 77;

/// The line ctest's SKIP_REGULAR_EXPRESSION looks for (tests/CMakeLists.txt): a test that prints it
/// is reported as skipped, not passed. .ci/run fails when any test was skipped.
inline constexpr const char* kSkipMarker = "KDAD-TEST-SKIPPED";

/// Prints the skip marker with the reason; the caller then returns from the test case.
void skip_test(const std::string& why);

/// Runs `/usr/bin/python3 <tests/data/script> args...`. Returns true when it succeeded. When it
/// exits with kSkipExitCode, marks the test skipped and returns false; any other exit fails the
/// test with the exit code (a broken module must not pass as "skipped").
bool run_reference_script(const std::string& script, const std::vector<std::string>& args);

}  // namespace kdad::test
