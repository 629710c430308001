// Image scores given as a CSV file ("<id>,<score>" per line) instead of map maxima.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace kdad::harness {

/// Reads "<image id>,<score>" lines; the id is the image path relative to the dataset root, with
/// or without extension (e.g. "bottle/test/broken_large/000"). An optional first line
/// "image,score" is a header; blank lines and lines starting with '#' are skipped.
/// Throws DataError "<file>:<line>: ..." for a malformed line, a non-finite score or a duplicate id.
std::map<std::string, float> read_scores_file(const std::filesystem::path& file);

}  // namespace kdad::harness
