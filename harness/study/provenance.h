// Provenance of an invocation: build facts, host and library versions, as a RunRecord.
#pragma once

#include "reports/records.h"

#include <map>
#include <string>

namespace kdad::harness {

/// A RunRecord for this process: new uuid, start time now, git sha/dirty, host, library versions
/// (kdad's own plus `method_libraries`, e.g. LibTorch's from the method registry).
reports::RunRecord make_run_record(const std::string& command, const std::string& command_line,
                                   const std::map<std::string, std::string>& method_libraries = {});

/// JSON object of the library versions this binary uses (OpenCV, SQLite, fmt, Boost, compiler)
/// plus `method_libraries`.
std::string library_versions_json(const std::map<std::string, std::string>& method_libraries = {});

/// Host name of this machine, or "unknown".
std::string host_name();

}  // namespace kdad::harness
