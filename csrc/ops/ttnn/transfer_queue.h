// The hardware backend's transfer queue, a second command queue beside the one ops run in: a non-blocking
// copy to the device queues its upload here and returns, and a thread of the queue's own runs it (TT-NN's
// host-side conversion and the write to DRAM) while the caller goes on. Work runs in submission order;
// each submission gets a ticket, and whoever needs the result waits for that ticket. Torch- and
// Python-free: the work itself takes whatever locks it needs (the hardware backend's takes the GIL).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ttnn_device::ops::hw {

class TransferQueue {
 public:
  TransferQueue();
  ~TransferQueue();  // runs what is queued, then stops the thread

  // Queues `work`; returns its ticket (1, 2, ...). A failure of `work` (an exception) is kept and raised
  // by the next wait or wait_all, as an asynchronous error is raised by the next synchronisation.
  uint64_t submit(std::function<void()> work);
  bool done(uint64_t ticket) const;
  void wait(uint64_t ticket);
  void wait_all();
  bool idle() const;
  // Tests only: while paused, queued work stays queued (so a test can see a copy still in flight).
  void pause(bool paused);

 private:
  void run();
  void wait_locked(std::unique_lock<std::mutex>& lock, uint64_t ticket);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  uint64_t submitted_ = 0;
  uint64_t completed_ = 0;
  std::string failure_;
  bool paused_ = false;
  bool stopping_ = false;
  std::thread worker_;  // declared last: started once everything it uses exists
};

}  // namespace ttnn_device::ops::hw
