// Whole files read and written in one call.
#include "core/text_file.h"

#include "core/error.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace kdad {
namespace fs = std::filesystem;

std::optional<std::string> read_file_contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return bytes.str();
}

void write_file_atomically(const fs::path& file, const std::string& text) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  if (fs::is_directory(file, ec)) throw IoError(file.string(), "is a folder; give a file name");
  const fs::path partial = file.string() + fmt::format(".partial-{}", ::getpid());
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      fs::remove(partial, ec);
      throw IoError(file.string(), "cannot write the file");
    }
  }
  fs::rename(partial, file, ec);
  if (ec) {
    fs::remove(partial, ec);
    throw IoError(file.string(), "cannot write the file: " + ec.message());
  }
}

}  // namespace kdad
