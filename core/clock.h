// Wall-clock timestamps and run ids for provenance.
#pragma once

#include <string>

namespace kdad {

/// Current UTC time as ISO 8601 with milliseconds, e.g. "2026-11-23T23:03:41.123Z".
std::string utc_now_iso8601();

/// A random RFC 4122 version-4 UUID (identifies a run; deliberately not seeded).
std::string random_uuid();

}  // namespace kdad
