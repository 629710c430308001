// A small CSV reader for dataset split files.
#include "datasets/csv.h"

#include "core/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>

namespace kdad::datasets {
namespace {

// Splits one record; `in` supplies continuation lines for quoted fields spanning lines.
std::vector<std::string> parse_record(std::string line, std::istream& in, int& line_number, const std::string& file) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  const int start_line = line_number;
  for (std::size_t i = 0;; ++i) {
    if (i == line.size()) {
      if (!quoted) break;
      std::string next;
      if (!std::getline(in, next)) throw DataError(fmt::format("{}:{}", file, start_line), "unterminated quoted field");
      ++line_number;
      cells.back() += '\n';
      line = next;
      i = static_cast<std::size_t>(-1);
      continue;
    }
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else if (c != '\r') {
      cells.back() += c;
    }
  }
  return cells;
}

}  // namespace

std::size_t CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  throw DataError(file.string(), fmt::format("no column '{}' (columns: {})", name, fmt::join(header, ", ")));
}

CsvTable read_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw DataError(file.string(), "cannot open CSV file");
  CsvTable table;
  table.file = file;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    auto cells = parse_record(line, in, line_number, file.string());
    if (table.header.empty()) {
      if (!cells.empty() && cells[0].rfind("\xEF\xBB\xBF", 0) == 0) cells[0].erase(0, 3);  // UTF-8 BOM
      table.header = std::move(cells);
      continue;
    }
    if (cells.size() != table.header.size()) {
      throw DataError(fmt::format("{}:{}", file.string(), line_number),
                      fmt::format("{} cells, expected {} like the header", cells.size(), table.header.size()));
    }
    table.rows.push_back({line_number, std::move(cells)});
  }
  if (table.header.empty()) throw DataError(file.string(), "CSV file is empty");
  return table;
}

}  // namespace kdad::datasets
