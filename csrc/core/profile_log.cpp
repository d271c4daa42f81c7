#include "core/profile_log.h"

#include <chrono>
#include <mutex>

namespace ttnn_device::core::profile_log {

std::atomic<bool> active{false};

namespace {
std::mutex log_mutex;
std::vector<Event>& log() {
  static auto* events = new std::vector<Event>();
  return *events;
}
}  // namespace

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void start() {
  std::lock_guard<std::mutex> lock(log_mutex);
  log().clear();
  active.store(true, std::memory_order_relaxed);
}

std::vector<Event> stop() {
  std::lock_guard<std::mutex> lock(log_mutex);
  active.store(false, std::memory_order_relaxed);
  std::vector<Event> out;
  out.swap(log());
  return out;
}

size_t size() {
  std::lock_guard<std::mutex> lock(log_mutex);
  return log().size();
}

void record(Event event) {
  std::lock_guard<std::mutex> lock(log_mutex);
  if (active.load(std::memory_order_relaxed)) log().push_back(std::move(event));
}

}  // namespace ttnn_device::core::profile_log
