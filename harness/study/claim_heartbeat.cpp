// The heartbeat thread of a run's cell claims.
#include "harness/study/claim_heartbeat.h"

#include "core/error.h"
#include "reports/store.h"

#include <chrono>
#include <memory>

namespace kdad::harness {

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ClaimHeartbeat::ClaimHeartbeat(std::filesystem::path database, std::int64_t run_id)
    : database_(std::move(database)), run_id_(run_id), thread_([this] { beat(); }) {}

ClaimHeartbeat::~ClaimHeartbeat() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  thread_.join();
}

void ClaimHeartbeat::beat() {
  std::unique_ptr<reports::ResultsStore> store;  // this thread's own connection, opened at the first beat
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_requested_.wait_for(lock, std::chrono::duration<double>(kClaimHeartbeatSeconds), [this] { return stopping_; })) {
    try {
      if (!store) store = std::make_unique<reports::ResultsStore>(database_);
      store->heartbeat_claims(run_id_, unix_seconds());
    } catch (const Error&) {
      store.reset();  // busy or gone for a moment: the next beat reconnects and tries again
    }
  }
}

}  // namespace kdad::harness
