// The caching policy of device DRAM, torch-free: one BlockCache per Device keeps freed blocks for reuse
// and the allocator statistics. core/caching_allocator.cpp adapts it to torch's allocator interface.
//
// Policy:
//  - requests are rounded up to 512 bytes below 1 MiB and to 128 KiB from 1 MiB on (round_request);
//  - a request is served by the smallest cached block at least as large as the rounded request and at
//    most an eighth larger; otherwise a new block comes from the device;
//  - when the device is out of memory, every cached block is given back to the device and the
//    allocation is retried once; if that fails too, acquire throws OutOfDeviceMemory naming the
//    original (unrounded) request and the device's free bytes. A failed request frees no live block and
//    leaves the statistics of live memory as they were (only the cache flush of the retry shows).
// All member functions are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "runtime/device.h"
#include "runtime/node_reserve.h"

namespace ttnn_device::runtime {

// One statistic, with the meaning of c10's CachingAllocator Stat.
struct BlockCacheStat {
  int64_t current = 0;    // value now
  int64_t peak = 0;       // highest `current` since the last reset_peak
  int64_t allocated = 0;  // sum of increases since the last reset_accumulated
  int64_t freed = 0;      // sum of decreases since the last reset_accumulated

  void increase(uint64_t amount);
  void decrease(uint64_t amount);
  void reset_peak() { peak = current; }
  void reset_accumulated() { allocated = freed = 0; }
};

struct BlockCacheStats {
  BlockCacheStat allocation;      // COUNT: blocks handed out by acquire
  BlockCacheStat active;          // COUNT: blocks in use (the same as allocation: nothing is split)
  BlockCacheStat segment;         // COUNT: blocks obtained from the device (in use or cached)
  BlockCacheStat allocated_bytes;  // SUM: bytes of blocks handed out
  BlockCacheStat active_bytes;     // SUM: bytes of blocks in use
  BlockCacheStat reserved_bytes;   // SUM: bytes of blocks obtained from the device (in use or cached)
  int64_t num_alloc_retries = 0;  // device allocations that failed and led to a cache flush
  int64_t num_ooms = 0;           // requests that failed even after the flush
  int64_t num_device_alloc = 0;   // successful Device::allocate calls
  int64_t num_device_free = 0;    // Device::free calls
};

class BlockCache {
 public:
  // The device must outlive the cache.
  explicit BlockCache(Device& device);
  // Gives every cached block back to the device; blocks still in use stay the caller's.
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // A block of at least `bytes` (at least round_request(bytes)). Throws OutOfDeviceMemory as above.
  Block acquire(uint64_t bytes);
  // Takes back a block from acquire into the cache. A block without a handle is ignored.
  void release(Block block);
  // Gives every cached block back to the device.
  void release_cached();

  BlockCacheStats stats() const;
  uint64_t cached_bytes() const;  // bytes of blocks held in the cache (reserved, not in use)
  std::vector<uint64_t> cached_block_sizes() const;  // each cached block's bytes, smallest first
  void reset_peak();
  void reset_accumulated();

  Device& device() const { return device_; }

  // The rounding of requests: a multiple of 512 below 1 MiB, of 128 KiB from 1 MiB on.
  static uint64_t round_request(uint64_t bytes);

  static constexpr uint64_t kSmallRound = 512;
  static constexpr uint64_t kLargeThreshold = 1ull << 20;
  static constexpr uint64_t kLargeRound = 128ull << 10;

 private:
  void release_cached_locked();

  Device& device_;
  mutable std::mutex mutex_;
  std::multimap<uint64_t, Block> cached_;  // by block size
  NodeReserve<std::multimap<uint64_t, Block>> spare_nodes_;
  BlockCacheStats stats_;
};

}  // namespace ttnn_device::runtime
