// Which CPU memory allocation kdad uses, chosen once from the KDAD_ALLOCATOR variable.
#pragma once

#include <string>

namespace kdad::harness {

enum class AllocatorChoice {
  caching,  ///< malloc with huge pages (GLIBC_TUNABLES, set by main) and the caching host allocator
  system,   ///< glibc's and LibTorch's defaults
};

/// KDAD_ALLOCATOR unset or "caching" → caching, "system" → system; anything else is a ConfigError
/// naming the variable. Parsed on the first call and fixed for the life of the process.
AllocatorChoice allocator_choice();

/// Sets GLIBC_TUNABLES=glibc.malloc.hugetlb=1 for a process about to be (re)started when the
/// choice is caching and the user has not set GLIBC_TUNABLES; returns whether it set it. A bad
/// KDAD_ALLOCATOR sets nothing here (kdad_main reports it).
bool set_tuned_malloc_environment();

/// "caching" or "system", as stored with each cell's environment.
std::string to_string(AllocatorChoice choice);

}  // namespace kdad::harness
