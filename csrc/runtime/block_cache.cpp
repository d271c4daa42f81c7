#include "runtime/block_cache.h"

#include <iterator>

namespace ttnn_device::runtime {

void BlockCacheStat::increase(uint64_t amount) {
  current += static_cast<int64_t>(amount);
  if (current > peak) peak = current;
  allocated += static_cast<int64_t>(amount);
}

void BlockCacheStat::decrease(uint64_t amount) {
  current -= static_cast<int64_t>(amount);
  freed += static_cast<int64_t>(amount);
}

BlockCache::BlockCache(Device& device) : device_(device) {}

BlockCache::~BlockCache() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_locked();
}

uint64_t BlockCache::round_request(uint64_t bytes) {
  const uint64_t unit = bytes < kLargeThreshold ? kSmallRound : kLargeRound;
  return (bytes + unit - 1) / unit * unit;
}

Block BlockCache::acquire(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t wanted = round_request(bytes);
  Block block;
  // Best fit among cached blocks, wasting at most an eighth. Of blocks of exactly the size wanted, the one
  // freed last: its memory is the likeliest still to be in the host's caches (an op's output written
  // right after its predecessor's result was freed).
  auto it = cached_.upper_bound(wanted);
  if (it != cached_.begin() && std::prev(it)->first == wanted) --it;
  if (it != cached_.end() && it->first <= wanted + wanted / 8) {
    block = it->second;
    spare_nodes_.erase(cached_, it);
  } else {
    try {
      block = device_.allocate(wanted);
    } catch (const OutOfDeviceMemory&) {
      stats_.num_alloc_retries++;
      release_cached_locked();
      try {
        block = device_.allocate(wanted);
      } catch (const OutOfDeviceMemory& error) {
        stats_.num_ooms++;
        throw OutOfDeviceMemory(device_.index(), bytes, error.free_bytes, error.capacity);
      }
    }
    stats_.num_device_alloc++;
    stats_.segment.increase(1);
    stats_.reserved_bytes.increase(block.bytes);
  }
  stats_.allocation.increase(1);
  stats_.active.increase(1);
  stats_.allocated_bytes.increase(block.bytes);
  stats_.active_bytes.increase(block.bytes);
  return block;
}

void BlockCache::release(Block block) {
  if (!block.handle) return;
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.allocation.decrease(1);
  stats_.active.decrease(1);
  stats_.allocated_bytes.decrease(block.bytes);
  stats_.active_bytes.decrease(block.bytes);
  spare_nodes_.insert(cached_, block.bytes, block);
}

void BlockCache::release_cached() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_locked();
}

void BlockCache::release_cached_locked() {
  for (auto& [size, block] : cached_) {
    device_.free(block);
    stats_.reserved_bytes.decrease(block.bytes);
    stats_.segment.decrease(1);
    stats_.num_device_free++;
  }
  cached_.clear();
}

BlockCacheStats BlockCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

std::vector<uint64_t> BlockCache::cached_block_sizes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<uint64_t> sizes;
  sizes.reserve(cached_.size());
  for (const auto& [size, block] : cached_) sizes.push_back(block.bytes);
  return sizes;
}

uint64_t BlockCache::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t total = 0;
  for (const auto& [size, block] : cached_) total += block.bytes;
  return total;
}

void BlockCache::reset_peak() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto* stat : {&stats_.allocation, &stats_.active, &stats_.segment, &stats_.allocated_bytes,
                     &stats_.active_bytes, &stats_.reserved_bytes}) {
    stat->reset_peak();
  }
}

void BlockCache::reset_accumulated() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto* stat : {&stats_.allocation, &stats_.active, &stats_.segment, &stats_.allocated_bytes,
                     &stats_.active_bytes, &stats_.reserved_bytes}) {
    stat->reset_accumulated();
  }
  stats_.num_alloc_retries = 0;
  stats_.num_ooms = 0;
  stats_.num_device_alloc = 0;
  stats_.num_device_free = 0;
}

}  // namespace ttnn_device::runtime
