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

bool set_tuned_malloc_environment() {
  if (std::getenv("GLIBC_TUNABLES")) return false;
  try {
    if (allocator_choice() != AllocatorChoice::caching) return false;
  } catch (const Error&) {
    return false;
  }
  return setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) == 0;
}

std::string to_string(AllocatorChoice choice) { return choice == AllocatorChoice::caching ? "caching" : "system"; }

}  // namespace kdad::harness
