// Shared helpers for the tests: temporary folders and fixture paths.
#pragma once

#include <filesystem>
#include <string>

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

}  // namespace kdad::test
