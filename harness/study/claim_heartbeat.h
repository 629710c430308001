// Keeps a run's cell claims alive while it computes: a thread that refreshes their heartbeat.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

namespace kdad::harness {

/// Seconds between heartbeats, and the age after which another worker takes a claim over.
inline constexpr double kClaimHeartbeatSeconds = 15.0;
inline constexpr double kClaimStaleSeconds = 120.0;
/// Seconds between a waiting worker's looks at the cells other workers hold.
inline constexpr double kClaimPollSeconds = 2.0;

/// Unix time in seconds (claims compare heartbeats across processes and hosts).
double unix_seconds();

/// While alive, refreshes every claim of `run_id` in `database` each kClaimHeartbeatSeconds
/// through its own connection (a ResultsStore serves one thread). A failed refresh is retried at
/// the next beat: a claim left stale for kClaimStaleSeconds is only taken over, never corrupted.
class ClaimHeartbeat {
 public:
  ClaimHeartbeat(std::filesystem::path database, std::int64_t run_id);
  ~ClaimHeartbeat();
  ClaimHeartbeat(const ClaimHeartbeat&) = delete;
  ClaimHeartbeat& operator=(const ClaimHeartbeat&) = delete;

 private:
  void beat();

  std::filesystem::path database_;
  std::int64_t run_id_;
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kdad::harness
