// Helpers shared by kdad's benchmarks.
#include "harness/bench/bench_support.h"

#include <fstream>

namespace kdad::harness {

std::uint64_t proc_status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  }
  return 0;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

}  // namespace kdad::harness
