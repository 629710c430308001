// kdad's entry point with the built-in methods.
//
// Training allocates and frees multi-MB tensors every step; with glibc's defaults each one is a
// fresh mmap whose pages fault in one by one, which costs RD ~40 % of a training step on CPU.
// LibTorch's own tensors go through kdad's caching host allocator (installed per cell); what
// OpenBLAS, OpenCV and the image decoders allocate still goes through malloc. Unless the user set
// GLIBC_TUNABLES (or KDAD_ALLOCATOR=system), kdad therefore restarts itself once with
// glibc.malloc.hugetlb=1 (transparent huge pages for malloc's mmaps). Read at process start, the
// tunable cannot be set any other way; it is recorded with every cell's timings.
#include "core/error.h"
#include "harness/cli/allocator_choice.h"
#include "harness/cli/app.h"
#include "methods/builtin.h"

#include <cstdlib>
#include <unistd.h>

namespace {

// A bad KDAD_ALLOCATOR is reported by kdad_main; until then it simply means no restart.
bool wants_tuned_malloc() {
  try {
    return kdad::harness::allocator_choice() == kdad::harness::AllocatorChoice::caching;
  } catch (const kdad::Error&) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (!std::getenv("GLIBC_TUNABLES") && wants_tuned_malloc()) {
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then run with the default allocator
    unsetenv("GLIBC_TUNABLES");
  }
  return kdad::harness::kdad_main(argc, argv, kdad::methods::register_builtin_methods);
}
