// Provenance of an invocation: build facts, host and library versions, as a RunRecord.
#pragma once

#include "reports/records.h"

#include <string>

namespace kdad::harness {

/// A RunRecord for this process: new uuid, start time now, git sha/dirty, host, library versions.
reports::RunRecord make_run_record(const std::string& command, const std::string& command_line);

/// JSON object of the library versions this binary uses (OpenCV, SQLite, fmt, Boost, compiler).
std::string library_versions_json();

/// Host name of this machine, or "unknown".
std::string host_name();

}  // namespace kdad::harness
