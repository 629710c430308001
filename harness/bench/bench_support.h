// Helpers shared by kdad's benchmarks: peak-memory measurement around a timed body.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace kdad::harness {

/// A /proc/self/status field in KiB (0 when unavailable), e.g. "VmRSS", "VmHWM".
std::uint64_t proc_status_kib(const std::string& field);

/// Resets the kernel's peak-RSS mark (VmHWM) so the next reading covers only what follows.
void reset_peak_rss();

/// Runs `work` once per benchmark iteration and records counters: extra_MiB (peak RSS growth
/// during the work), peak_rss_MiB, and `items` processed per iteration (items_per_second).
template <class Work>
void measure_iterations(benchmark::State& state, std::uint64_t items, Work&& work) {
  double peak_extra_mib = 0;
  for (auto _ : state) {
    state.PauseTiming();
    reset_peak_rss();
    const std::uint64_t baseline = proc_status_kib("VmRSS");
    state.ResumeTiming();
    work();
    state.PauseTiming();
    const double extra = (static_cast<double>(proc_status_kib("VmHWM")) - static_cast<double>(baseline)) / 1024.0;
    peak_extra_mib = std::max(peak_extra_mib, extra);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * items));
  state.counters["extra_MiB"] = peak_extra_mib;
  state.counters["peak_rss_MiB"] = static_cast<double>(proc_status_kib("VmHWM")) / 1024.0;
}

}  // namespace kdad::harness
