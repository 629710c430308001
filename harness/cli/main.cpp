// kdad's entry point. It links no LibTorch (no methods, no OpenCV image codecs), so commands that
// run no method (help, version, eval, datasets, report, table, compare) start in milliseconds; a
// command that needs methods (run, reproduce, methods, bench) is parsed here, then handed to the
// `kdad-torch` executable beside this one by exec with the same arguments (ARCHITECTURE.md,
// "One kdad command, two executables").
#include "core/error.h"
#include "harness/cli/allocator_choice.h"
#include "harness/cli/app.h"
#include "methods/library_version.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>
#include <unistd.h>

namespace {

// KDAD_TORCH_EXE overrides the location (an installed layout, a debugger wrapper); by default the
// sibling of this executable, found through /proc/self/exe so that a symlink to kdad on PATH works.
std::filesystem::path torch_executable() {
  if (const char* path = std::getenv("KDAD_TORCH_EXE"); path && *path) return path;
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw kdad::InternalError("/proc/self/exe", "cannot locate the kdad executable: " + error.message());
  return self.parent_path() / "kdad-torch";
}

int exec_torch(int, const char* const* argv) {
  const std::filesystem::path exe = torch_executable();
  kdad::harness::set_tuned_malloc_environment();  // read by glibc at the new process's start
  execv(exe.c_str(), const_cast<char* const*>(argv));
  const int failure = errno;
  throw kdad::IoError(exe.string(), fmt::format("cannot start the method runner ({}); it is built beside kdad "
                                                "(cmake --build) or named by KDAD_TORCH_EXE",
                                                std::strerror(failure)));
}

void register_library_versions(kdad::methods::MethodRegistry& registry) {
  registry.add_library_version("libtorch", kdad::methods::libtorch_version());
}

}  // namespace

int main(int argc, char** argv) {
  return kdad::harness::kdad_main(argc, argv, register_library_versions, exec_torch);
}
