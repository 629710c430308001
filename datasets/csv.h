// A small CSV reader for dataset split files (RFC 4180 quoting, header row required).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kdad::datasets {

struct CsvRow {
  int line;                        ///< 1-based line number in the file
  std::vector<std::string> cells;  ///< as many cells as the header
};

struct CsvTable {
  std::filesystem::path file;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  /// Index of a header column; throws DataError naming the file and the missing column.
  std::size_t column(const std::string& name) const;
};

/// Reads a CSV with a header row; throws DataError "<file>:<line>: ..." for a row with the wrong
/// number of cells or an unterminated quote, and for an unreadable file.
CsvTable read_csv(const std::filesystem::path& file);

}  // namespace kdad::datasets
