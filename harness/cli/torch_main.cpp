// kdad-torch: the process that runs methods (kdad run, reproduce, methods, bench), linked with
// LibTorch and the built-in methods. Users call `kdad`, which execs this binary for those commands
// (harness/cli/main.cpp); called directly it behaves like `kdad`.
//
// Training allocates and frees multi-MB tensors every step; with glibc's defaults each one is a
// fresh mmap whose pages fault in one by one, which costs RD ~40 % of a training step on CPU.
// LibTorch's own tensors go through kdad's caching host allocator (installed per cell); what
// OpenBLAS, OpenCV and the image decoders allocate still goes through malloc. Unless the user set
// GLIBC_TUNABLES (or KDAD_ALLOCATOR=system), the process must start with glibc.malloc.hugetlb=1
// (transparent huge pages for malloc's mmaps): `kdad` sets it before the exec; called directly,
// this binary restarts itself once to set it. Read at process start, the tunable cannot be set any
// other way; it is recorded with every cell's timings.
#include "harness/cli/allocator_choice.h"
#include "harness/cli/app.h"
#include "methods/builtin.h"

#include <cstdlib>
#include <unistd.h>

int main(int argc, char** argv) {
  if (kdad::harness::set_tuned_malloc_environment()) {
    execv("/proc/self/exe", argv);  // returns only on failure: then run with the default allocator
    unsetenv("GLIBC_TUNABLES");
  }
  return kdad::harness::kdad_main(argc, argv, kdad::methods::register_builtin_methods);
}
