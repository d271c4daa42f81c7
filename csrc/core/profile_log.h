// The event log behind ttnn_device.profile(): while it is on, vocabulary ops (with their time), CPU
// fallbacks (with the reason) and host <-> device transfers (with their bytes) are appended in order.
// The Python side brackets every aten op by the log's length before and after, so each event is
// attributed to the aten op that caused it. Off, the only cost at each site is one relaxed atomic load.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace ttnn_device::core::profile_log {

enum class Kind : uint8_t { kVocabOp, kFallback, kHostToDevice, kDeviceToHost };

struct Event {
  Kind kind;
  std::string name;    // vocabulary op, or the aten op that fell back
  std::string detail;  // the op's ttnn function, or the fallback's reason
  uint64_t bytes = 0;  // transferred, or converted (to_layout / typecast)
  int64_t start_ns = 0;  // steady clock (CLOCK_MONOTONIC, the clock of Python's time.perf_counter_ns)
  int64_t end_ns = 0;
};

extern std::atomic<bool> active;
inline bool on() { return active.load(std::memory_order_relaxed); }

void start();               // clears the log and turns it on
std::vector<Event> stop();  // turns it off and hands over what it holds
size_t size();              // events so far (the Python side's bracket)
int64_t now_ns();
void record(Event event);
// An event without duration (a fallback, a transfer), stamped now; nothing when the log is off.
inline void record_instant(Kind kind, const std::string& name, const std::string& detail, uint64_t bytes) {
  if (!on()) return;
  const int64_t t = now_ns();
  record({kind, name, detail, bytes, t, t});
}

}  // namespace ttnn_device::core::profile_log
