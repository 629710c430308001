// A minimal parallel-for over an index range, used by metrics and loaders (no global thread pool).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace kdad {

/// Number of hardware threads, at least 1.
inline int hardware_threads() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

/// Runs fn(index, worker) for every index in [0, count) on up to `threads` workers
/// (worker in [0, threads)), taking indices dynamically. The calling thread is worker 0.
/// If calls throw, the exception of the smallest failing index is rethrown after all workers
/// stopped, so the reported error does not depend on scheduling.
template <class Fn>
void parallel_for(std::size_t count, int threads, Fn&& fn) {
  const std::size_t workers =
      std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, threads)));
  if (workers <= 1) {
    for (std::size_t i = 0; i < count; ++i) fn(i, 0);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::mutex failure_mutex;
  std::size_t failed_index = std::numeric_limits<std::size_t>::max();
  std::exception_ptr failure;
  auto work = [&](int worker) {
    for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      try {
        fn(i, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (i < failed_index) {
          failed_index = i;
          failure = std::current_exception();
        }
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work, static_cast<int>(w));
  work(0);
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace kdad
