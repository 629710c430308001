// Image scores from a CSV file.
#include "harness/scoring/scores_file.h"

#include "core/error.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>

namespace kdad::harness {
namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

std::string without_extension(std::string id) {
  if (id.rfind("./", 0) == 0) id = id.substr(2);
  const auto slash = id.find_last_of('/');
  const auto dot = id.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) id.erase(dot);
  return id;
}

}  // namespace

std::map<std::string, float> read_scores_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw DataError(file.string(), "cannot open scores file");
  std::map<std::string, float> scores;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = fmt::format("{}:{}", file.string(), number);
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto comma = line.find(',');
    if (comma == std::string::npos) throw DataError(where, "expected '<image id>,<score>'");
    const std::string id = without_extension(trim(line.substr(0, comma)));
    const std::string value = trim(line.substr(comma + 1));
    if (number == 1 && id == "image" && value == "score") continue;
    float score = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), score);
    if (error != std::errc() || end != value.data() + value.size()) {
      throw DataError(where, fmt::format("'{}' is not a number", value));
    }
    if (!std::isfinite(score)) throw DataError(where, fmt::format("score '{}' is not finite", value));
    if (id.empty()) throw DataError(where, "empty image id");
    if (!scores.emplace(id, score).second) throw DataError(where, fmt::format("duplicate image id '{}'", id));
  }
  return scores;
}

}  // namespace kdad::harness
