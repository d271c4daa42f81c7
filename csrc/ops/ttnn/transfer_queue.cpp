#include "ops/ttnn/transfer_queue.h"

#include <exception>
#include <stdexcept>
#include <utility>

namespace ttnn_device::ops::hw {

TransferQueue::TransferQueue() : worker_([this] { run(); }) {}

TransferQueue::~TransferQueue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    paused_ = false;
  }
  changed_.notify_all();
  worker_.join();
}

uint64_t TransferQueue::submit(std::function<void()> work) {
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(work));
    ticket = ++submitted_;
  }
  changed_.notify_all();
  return ticket;
}

bool TransferQueue::done(uint64_t ticket) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_ >= ticket;
}

bool TransferQueue::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_ == submitted_;
}

void TransferQueue::wait_locked(std::unique_lock<std::mutex>& lock, uint64_t ticket) {
  changed_.wait(lock, [&] { return completed_ >= ticket; });
  if (!failure_.empty()) {
    const std::string why = std::move(failure_);
    failure_.clear();
    throw std::runtime_error("a non-blocking copy to ttnn failed: " + why);
  }
}

void TransferQueue::wait(uint64_t ticket) {
  std::unique_lock<std::mutex> lock(mutex_);
  wait_locked(lock, ticket);
}

void TransferQueue::wait_all() {
  std::unique_lock<std::mutex> lock(mutex_);
  wait_locked(lock, submitted_);
}

void TransferQueue::pause(bool paused) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = paused;
  }
  changed_.notify_all();
}

void TransferQueue::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || (!paused_ && !queue_.empty()); });
    if (queue_.empty()) return;  // stopping, and nothing left to run
    std::function<void()> work = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::string failure;
    try {
      work();
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown error";
    }
    work = nullptr;  // what the work kept alive (the source's memory) goes before the copy counts as done
    lock.lock();
    if (!failure.empty() && failure_.empty()) failure_ = std::move(failure);
    ++completed_;
    changed_.notify_all();
  }
}

}  // namespace ttnn_device::ops::hw
