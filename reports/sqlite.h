// A thin RAII layer over the SQLite C API: one connection, prepared statements, typed binds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace kdad::reports {

class Statement;

/// One SQLite connection. Errors throw StoreError naming the database file.
class Database {
 public:
  /// memory_copy: an in-memory database holding a copy of `file` (read through SQLite's backup
  /// API); changes to it never reach the file.
  enum class Mode { read_only, read_write_create, memory_copy };

  Database(const std::filesystem::path& file, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs one or more statements without results.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t last_insert_id() const;
  const std::filesystem::path& file() const { return file_; }

  /// Throws StoreError "<file>: <what>: <sqlite message>".
  [[noreturn]] void fail(std::string_view what) const;

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
};

/// A prepared statement; bind with 1-based indices, then step() through the rows.
class Statement {
 public:
  Statement(Database& db, sqlite3_stmt* statement) : db_(&db), statement_(statement) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<double>& value);
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind_blob(int index, const void* data, std::size_t bytes);
  Statement& bind_null(int index);

  /// Advances to the next row; false when done.
  bool step();
  /// Runs a statement that returns no rows.
  void run();
  /// Makes the statement ready to run again with new binds.
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::vector<unsigned char> column_blob(int column) const;

 private:
  Database* db_;
  sqlite3_stmt* statement_;
};

/// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

/// The SQLite library version, e.g. "3.40.1".
std::string sqlite_version();

}  // namespace kdad::reports
