// KDAD_ALLOCATOR, parsed.
#include "harness/cli/allocator_choice.h"

#include "core/error.h"

#include <cstdlib>

namespace kdad::harness {

namespace {

AllocatorChoice parse_allocator_choice() {
  const char* value = std::getenv("KDAD_ALLOCATOR");
  if (!value || std::string(value) == "caching") return AllocatorChoice::caching;
  if (std::string(value) == "system") return AllocatorChoice::system;
  throw ConfigError("KDAD_ALLOCATOR", "must be 'caching' or 'system', got '" + std::string(value) + "'");
}

}  // namespace

AllocatorChoice allocator_choice() {
  static const AllocatorChoice choice = parse_allocator_choice();  // a throw leaves it unset: it throws again
  return choice;
}

std::string to_string(AllocatorChoice choice) { return choice == AllocatorChoice::caching ? "caching" : "system"; }

}  // namespace kdad::harness
