// The results store's schema as an ordered list of migrations; user_version = last applied.
#pragma once

#include <string>
#include <vector>

namespace kdad::reports {

/// Moves a database from version `to_version − 1` to `to_version` (applied in one transaction).
struct Migration {
  int to_version;
  std::string sql;
};

/// Every migration of the built-in schema, in order; the last one's version is the current one.
const std::vector<Migration>& builtin_migrations();

}  // namespace kdad::reports
