// Whole files read and written in one call: the text files kdad writes (reports, tables, plans).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace kdad {

/// The file's bytes; nullopt when it cannot be opened or read (callers name the file in their own error).
std::optional<std::string> read_file_contents(const std::filesystem::path& file);

/// Writes `text` to `file` through a temporary file renamed into place, creating parent folders:
/// a reader never sees half a file. Throws IoError naming the file.
void write_file_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace kdad
