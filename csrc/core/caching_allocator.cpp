#include "core/caching_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <sstream>

#include "core/block_pool.h"
#include "core/device_state.h"
#include "runtime/block_cache.h"
#include "runtime/node_reserve.h"

namespace ttnn_device::core {

using c10::CachingDeviceAllocator::DeviceStats;
using runtime::Block;
using runtime::BlockCache;
using runtime::DeviceRegistry;

namespace {

constexpr int kAggregate = 0;
// Data pointers torch sees are addresses in a per-device window, so the device can be read back from
// any pointer and a buffer keeps its address when its physical block is replaced by a relayout.
constexpr int kAddressWindowBits = 48;
constexpr uint64_t kAddressAlignment = 4096;

// How much of each window addresses are handed out from: all of it, unless a test shrinks it to make the
// wrap-around (take_address) happen within a few allocations.
std::atomic<uint64_t> address_window_limit{uint64_t{1} << kAddressWindowBits};

// The addresses a storage of `bytes` occupies in its window.
uint64_t address_span(uint64_t bytes) {
  return (std::max<uint64_t>(bytes, 1) + kAddressAlignment - 1) / kAddressAlignment * kAddressAlignment;
}

// The caching policy and its statistics live in the device's BlockCache; what is per storage (the
// address window, the buffers by address and the bytes torch asked for) is kept here, under one lock.
struct DevicePool {
  DevicePool(runtime::Device& device, int index)
      : cache(device), window_base(static_cast<uint64_t>(index + 1) << kAddressWindowBits), next_address(window_base) {}
  BlockCache cache;
  std::mutex mutex;  // guards the fields below
  c10::CachingAllocator::Stat requested_bytes;
  const uint64_t window_base;
  uint64_t next_address;
  using Buffers = std::map<uint64_t, DeviceBuffer*>;
  Buffers buffers;  // by address
  runtime::NodeReserve<Buffers> spare_nodes;
};

struct Pools {
  std::mutex mutex;
  std::map<int, DevicePool> by_device;
};

Pools& pools() {
  static auto* instance = new Pools();  // leaked: storages may die after static destruction starts
  return *instance;
}

// Throws std::out_of_range (from the registry) for an index that names no device.
DevicePool& pool(int device) {
  // Pools never move once made (map nodes are stable): every allocation and free finds its pool
  // without the lock after the first.
  constexpr int kDirect = 64;
  static std::atomic<DevicePool*> direct[kDirect] = {};
  const bool indexed = device >= 0 && device < kDirect;
  if (indexed) {
    if (DevicePool* p = direct[device].load(std::memory_order_acquire)) return *p;
  }
  auto& all = pools();
  std::lock_guard<std::mutex> lock(all.mutex);
  auto it = all.by_device.find(device);
  if (it == all.by_device.end()) {
    auto& dev = DeviceRegistry::instance().device(device);
    it = all.by_device.try_emplace(device, dev, device).first;
  }
  if (indexed) direct[device].store(&it->second, std::memory_order_release);
  return it->second;
}

void copy_stat(c10::CachingAllocator::StatArray& to, const runtime::BlockCacheStat& from) {
  auto& stat = to[kAggregate];
  stat.current = from.current;
  stat.peak = from.peak;
  stat.allocated = from.allocated;
  stat.freed = from.freed;
}

void deleter(void* context) {
  auto* buffer = static_cast<DeviceBuffer*>(context);
  {
    auto& p = pool(buffer->device());
    std::lock_guard<std::mutex> lock(p.mutex);
    auto it = p.buffers.find(buffer->address());
    if (it != p.buffers.end()) p.spare_nodes.erase(p.buffers, it);
    p.requested_bytes.decrease(buffer->logical_bytes());
  }
  delete buffer;
}

[[noreturn]] void raise_out_of_memory(const runtime::OutOfDeviceMemory& error,
                                      const runtime::BlockCacheStats& stats) {
  std::ostringstream message;
  message << "ttnn out of memory on device ttnn:" << error.device << ": tried to allocate " << error.requested
          << " bytes; the device has " << error.free_bytes << " bytes free of " << error.capacity
          << " bytes total (" << DeviceRegistry::instance().board().name << "). PyTorch holds "
          << stats.allocated_bytes.current << " bytes in tensors and " << stats.reserved_bytes.current
          << " bytes reserved. Free tensors you no longer need or use smaller batches.";
  TORCH_CHECK_WITH(OutOfMemoryError, false, message.str());
}

}  // namespace

namespace {
std::atomic<int64_t> injected_fault_countdown{0};
std::atomic<uint64_t> acquisitions{0};
}  // namespace

void inject_out_of_memory(int64_t nth) { injected_fault_countdown.store(std::max<int64_t>(nth, 0)); }
uint64_t block_acquisitions() { return acquisitions.load(); }

Block acquire_block(int device, uint64_t bytes) {
  acquisitions.fetch_add(1, std::memory_order_relaxed);
  if (injected_fault_countdown.load(std::memory_order_relaxed) > 0 && injected_fault_countdown.fetch_sub(1) == 1) {
    TORCH_CHECK_WITH(OutOfMemoryError, false, "ttnn out of memory on device ttnn:", device, ": tried to allocate ",
                     bytes, " bytes (a fault injected by the tests)");
  }
  auto& p = pool(device);
  try {
    return p.cache.acquire(bytes);
  } catch (const runtime::OutOfDeviceMemory& error) {
    raise_out_of_memory(error, p.cache.stats());
  }
}

void release_block(int device, Block block) {
  if (!block.handle) return;
  // Outside the cache's lock: the hardware backend takes the GIL to drop its tensor.
  DeviceRegistry::instance().device(device).discard_contents(block);
  pool(device).cache.release(block);
}

CachingAllocator& caching_allocator() {
  static CachingAllocator allocator;
  return allocator;
}

namespace {
// Whether no live buffer occupies [start, start + span): once addresses have wrapped around, the next one
// up may belong to a live buffer. With p.mutex held.
bool range_is_free(const DevicePool& p, uint64_t start, uint64_t span) {
  auto above = p.buffers.lower_bound(start);
  if (above != p.buffers.end() && above->first < start + span) return false;
  if (above == p.buffers.begin()) return true;
  auto below = std::prev(above);
  return below->first + address_span(below->second->logical_bytes()) <= start;
}

// Addresses are handed out upwards; at the end of the window they start again from the lowest gap between
// live buffers big enough, so no process lifetime can run one device's addresses into the next device's
// window or give two live storages overlapping addresses. With p.mutex held.
uint64_t take_address(DevicePool& p, uint64_t bytes) {
  const uint64_t span = address_span(bytes);
  const uint64_t window_end = p.window_base + address_window_limit.load(std::memory_order_relaxed);
  if (p.next_address + span <= window_end && range_is_free(p, p.next_address, span)) return p.next_address;
  uint64_t cursor = p.window_base;
  for (const auto& [address, buffer] : p.buffers) {
    if (address >= cursor + span) break;
    cursor = std::max(cursor, address + address_span(buffer->logical_bytes()));
  }
  TORCH_CHECK_WITH(OutOfMemoryError, cursor + span <= window_end, "ttnn: no free range of ", span,
                   " bytes left in the device's address window");
  return cursor;
}
}  // namespace

void set_address_window_limit(uint64_t bytes) {
  const uint64_t full = uint64_t{1} << kAddressWindowBits;
  address_window_limit.store(bytes == 0 || bytes > full ? full : bytes);
}

c10::DataPtr CachingAllocator::allocate(size_t bytes) { return allocate_on(current_device(), bytes, std::nullopt); }

c10::DataPtr CachingAllocator::allocate_formatted(c10::DeviceIndex device, size_t bytes, TensorDesc desc) {
  desc.validate();
  if (desc.logical_bytes() != bytes) {
    throw std::invalid_argument("a physical format for " + std::to_string(desc.logical_bytes()) +
                                " logical bytes cannot describe a storage of " + std::to_string(bytes) + " bytes");
  }
  return allocate_on(device, bytes, std::move(desc));
}

c10::DataPtr CachingAllocator::allocate_on(c10::DeviceIndex device, size_t bytes, std::optional<TensorDesc> desc) {
  check_device_index(device);
  const c10::Device torch_device(c10::DeviceType::PrivateUse1, device);
  if (bytes == 0) return c10::DataPtr(nullptr, torch_device);
  Block block = acquire_block(device, desc ? desc->physical_bytes() : bytes);
  auto& p = pool(device);
  DeviceBuffer* buffer;
  uint64_t address;
  {
    std::unique_lock<std::mutex> lock(p.mutex);
    try {
      address = take_address(p, bytes);
    } catch (...) {
      lock.unlock();
      release_block(device, block);  // the block must not leak when no address is left for it
      throw;
    }
    p.next_address = address + address_span(bytes);
    buffer = desc ? new DeviceBuffer(device, address, bytes, block, std::move(*desc))
                  : new DeviceBuffer(device, address, bytes, block);
    p.spare_nodes.insert(p.buffers, address, buffer);
    p.requested_bytes.increase(bytes);
  }
  return c10::DataPtr(reinterpret_cast<void*>(address), buffer, &deleter, torch_device);
}

DeviceBuffer* buffer_at(const void* address) {
  const auto value = reinterpret_cast<uint64_t>(address);
  const auto index = static_cast<int64_t>(value >> kAddressWindowBits) - 1;
  if (index < 0 || index >= device_count()) return nullptr;
  auto& p = pool(static_cast<int>(index));
  std::lock_guard<std::mutex> lock(p.mutex);
  auto it = p.buffers.upper_bound(value);
  if (it == p.buffers.begin()) return nullptr;
  --it;
  DeviceBuffer* buffer = it->second;
  return value < buffer->address() + std::max<uint64_t>(buffer->logical_bytes(), 1) ? buffer : nullptr;
}

c10::Device device_of_address(const void* address) {
  const auto value = reinterpret_cast<uint64_t>(address);
  const auto index = static_cast<int64_t>(value >> kAddressWindowBits) - 1;
  TORCH_CHECK(index >= 0 && index < device_count(), "pointer ", address, " is not ttnn device memory");
  return c10::Device(c10::DeviceType::PrivateUse1, static_cast<c10::DeviceIndex>(index));
}

void CachingAllocator::copy_data(void* dest, const void* src, std::size_t count) const {
  if (count == 0) return;
  DeviceBuffer* dst_buffer = buffer_at(dest);
  DeviceBuffer* src_buffer = buffer_at(src);
  TORCH_CHECK(dst_buffer && src_buffer, "ttnn copy_data: pointers are not ttnn device memory");
  DeviceBuffer::copy(*src_buffer, reinterpret_cast<uint64_t>(src) - src_buffer->address(), *dst_buffer,
                     reinterpret_cast<uint64_t>(dest) - dst_buffer->address(), count);
}

void CachingAllocator::emptyCache(c10::MempoolId_t) {
  for (int device = 0; device < device_count(); ++device) pool(device).cache.release_cached();
}

DeviceStats CachingAllocator::getDeviceStats(c10::DeviceIndex device) {
  check_device_index(device);
  auto& p = pool(device);
  const runtime::BlockCacheStats cache = p.cache.stats();
  DeviceStats stats;
  copy_stat(stats.allocation, cache.allocation);
  copy_stat(stats.segment, cache.segment);
  copy_stat(stats.active, cache.active);
  copy_stat(stats.allocated_bytes, cache.allocated_bytes);
  copy_stat(stats.reserved_bytes, cache.reserved_bytes);
  copy_stat(stats.active_bytes, cache.active_bytes);
  stats.num_alloc_retries = cache.num_alloc_retries;
  stats.num_ooms = cache.num_ooms;
  stats.num_device_alloc = cache.num_device_alloc;
  stats.num_device_free = cache.num_device_free;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    stats.requested_bytes[kAggregate] = p.requested_bytes;
  }
  return stats;
}

void CachingAllocator::resetAccumulatedStats(c10::DeviceIndex device) {
  check_device_index(device);
  auto& p = pool(device);
  p.cache.reset_accumulated();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.requested_bytes.reset_accumulated();
}

void CachingAllocator::resetPeakStats(c10::DeviceIndex device) {
  check_device_index(device);
  auto& p = pool(device);
  p.cache.reset_peak();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.requested_bytes.reset_peak();
}

std::pair<size_t, size_t> CachingAllocator::getMemoryInfo(c10::DeviceIndex device) {
  check_device_index(device);
  auto& dev = pool(device).cache.device();
  return {dev.capacity() - dev.used(), dev.capacity()};
}

std::vector<SnapshotBlock> memory_snapshot(c10::DeviceIndex device) {
  check_device_index(device);
  auto& p = pool(device);
  std::vector<SnapshotBlock> blocks;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    for (const auto& [address, buffer] : p.buffers) {
      blocks.push_back({address, buffer->block().bytes, buffer->logical_bytes(), true});
    }
  }
  for (uint64_t size : p.cache.cached_block_sizes()) blocks.push_back({0, size, 0, false});
  return blocks;
}

REGISTER_ALLOCATOR(c10::DeviceType::PrivateUse1, &caching_allocator());

}  // namespace ttnn_device::core
