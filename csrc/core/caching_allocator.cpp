#include "core/caching_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/util/Exception.h>

#include <map>
#include <mutex>
#include <sstream>

#include "core/block_pool.h"
#include "core/device_state.h"

namespace ttnn_device::core {

using c10::CachingDeviceAllocator::DeviceStats;
using runtime::Block;
using runtime::DeviceRegistry;

namespace {

constexpr int kAggregate = 0;
constexpr uint64_t kSmallRound = 512;
constexpr uint64_t kLargeThreshold = 1ull << 20;
constexpr uint64_t kLargeRound = 128ull << 10;
// Data pointers torch sees are addresses in a per-device window, so the device can be read back from
// any pointer and a buffer keeps its address when its physical block is replaced by a relayout.
constexpr int kAddressWindowBits = 48;
constexpr uint64_t kAddressAlignment = 4096;

uint64_t round_request(uint64_t bytes) {
  const uint64_t unit = bytes < kLargeThreshold ? kSmallRound : kLargeRound;
  return (bytes + unit - 1) / unit * unit;
}

struct DevicePool {
  std::recursive_mutex mutex;
  std::multimap<uint64_t, Block> cached;  // by block size
  DeviceStats stats;
  uint64_t next_address = 0;
};

struct Pools {
  std::mutex mutex;
  std::map<int, DevicePool> by_device;
  std::mutex buffers_mutex;
  std::map<uint64_t, DeviceBuffer*> buffers;  // by address
};

Pools& pools() {
  static auto* instance = new Pools();  // leaked: storages may die after static destruction starts
  return *instance;
}

DevicePool& pool(int device) {
  auto& all = pools();
  std::lock_guard<std::mutex> lock(all.mutex);
  auto [it, inserted] = all.by_device.try_emplace(device);
  if (inserted) it->second.next_address = static_cast<uint64_t>(device + 1) << kAddressWindowBits;
  return it->second;
}

void update(c10::CachingAllocator::StatArray& stat, int64_t delta) {
  if (delta >= 0) {
    stat[kAggregate].increase(delta);
  } else {
    stat[kAggregate].decrease(-delta);
  }
}

void release_cache_locked(int device, DevicePool& p) {
  auto& dev = DeviceRegistry::instance().device(device);
  for (auto& [size, block] : p.cached) {
    dev.free(block);
    update(p.stats.reserved_bytes, -static_cast<int64_t>(block.bytes));
    update(p.stats.segment, -1);
    p.stats.num_device_free++;
  }
  p.cached.clear();
}

void deleter(void* context) {
  auto* buffer = static_cast<DeviceBuffer*>(context);
  {
    auto& all = pools();
    std::lock_guard<std::mutex> lock(all.buffers_mutex);
    all.buffers.erase(buffer->address());
  }
  {
    auto& p = pool(buffer->device());
    std::lock_guard<std::recursive_mutex> lock(p.mutex);
    update(p.stats.requested_bytes, -static_cast<int64_t>(buffer->logical_bytes()));
  }
  delete buffer;
}

[[noreturn]] void raise_out_of_memory(const runtime::OutOfDeviceMemory& error, const DeviceStats& stats) {
  std::ostringstream message;
  message << "ttnn out of memory on device ttnn:" << error.device << ": tried to allocate " << error.requested
          << " bytes; the device has " << error.free_bytes << " bytes free of " << error.capacity
          << " bytes total (" << DeviceRegistry::instance().board().name << "). PyTorch holds "
          << stats.allocated_bytes[kAggregate].current << " bytes in tensors and "
          << stats.reserved_bytes[kAggregate].current
          << " bytes reserved. Free tensors you no longer need or use smaller batches.";
  TORCH_CHECK_WITH(OutOfMemoryError, false, message.str());
}

}  // namespace

Block acquire_block(int device, uint64_t bytes) {
  auto& p = pool(device);
  std::lock_guard<std::recursive_mutex> lock(p.mutex);
  const uint64_t wanted = round_request(bytes);
  Block block;
  // Best fit among cached blocks, wasting at most an eighth.
  auto it = p.cached.lower_bound(wanted);
  if (it != p.cached.end() && it->first <= wanted + wanted / 8) {
    block = it->second;
    p.cached.erase(it);
  } else {
    auto& dev = DeviceRegistry::instance().device(device);
    try {
      block = dev.allocate(wanted);
    } catch (const runtime::OutOfDeviceMemory&) {
      p.stats.num_alloc_retries++;
      release_cache_locked(device, p);
      try {
        block = dev.allocate(wanted);
      } catch (const runtime::OutOfDeviceMemory& error) {
        p.stats.num_ooms++;
        raise_out_of_memory(runtime::OutOfDeviceMemory(device, bytes, error.free_bytes, error.capacity), p.stats);
      }
    }
    p.stats.num_device_alloc++;
    update(p.stats.segment, 1);
    update(p.stats.reserved_bytes, static_cast<int64_t>(block.bytes));
  }
  update(p.stats.allocation, 1);
  update(p.stats.active, 1);
  update(p.stats.allocated_bytes, static_cast<int64_t>(block.bytes));
  update(p.stats.active_bytes, static_cast<int64_t>(block.bytes));
  return block;
}

void release_block(int device, Block block) {
  if (!block.handle) return;
  auto& p = pool(device);
  std::lock_guard<std::recursive_mutex> lock(p.mutex);
  update(p.stats.allocation, -1);
  update(p.stats.active, -1);
  update(p.stats.allocated_bytes, -static_cast<int64_t>(block.bytes));
  update(p.stats.active_bytes, -static_cast<int64_t>(block.bytes));
  p.cached.emplace(block.bytes, block);
}

CachingAllocator& caching_allocator() {
  static CachingAllocator allocator;
  return allocator;
}

c10::DataPtr CachingAllocator::allocate(size_t bytes) {
  const c10::DeviceIndex device = current_device();
  check_device_index(device);
  const c10::Device torch_device(c10::DeviceType::PrivateUse1, device);
  if (bytes == 0) return c10::DataPtr(nullptr, torch_device);
  Block block = acquire_block(device, bytes);
  auto& p = pool(device);
  uint64_t address;
  {
    std::lock_guard<std::recursive_mutex> lock(p.mutex);
    address = p.next_address;
    p.next_address += (bytes + kAddressAlignment - 1) / kAddressAlignment * kAddressAlignment;
    update(p.stats.requested_bytes, static_cast<int64_t>(bytes));
  }
  auto* buffer = new DeviceBuffer(device, address, bytes, block);
  {
    auto& all = pools();
    std::lock_guard<std::mutex> lock(all.buffers_mutex);
    all.buffers[address] = buffer;
  }
  return c10::DataPtr(reinterpret_cast<void*>(address), buffer, &deleter, torch_device);
}

DeviceBuffer* buffer_at(const void* address) {
  const auto value = reinterpret_cast<uint64_t>(address);
  auto& all = pools();
  std::lock_guard<std::mutex> lock(all.buffers_mutex);
  auto it = all.buffers.upper_bound(value);
  if (it == all.buffers.begin()) return nullptr;
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
  for (int device = 0; device < device_count(); ++device) {
    auto& p = pool(device);
    std::lock_guard<std::recursive_mutex> lock(p.mutex);
    release_cache_locked(device, p);
  }
}

DeviceStats CachingAllocator::getDeviceStats(c10::DeviceIndex device) {
  check_device_index(device);
  auto& p = pool(device);
  std::lock_guard<std::recursive_mutex> lock(p.mutex);
  return p.stats;
}

void CachingAllocator::resetAccumulatedStats(c10::DeviceIndex device) {
  check_device_index(device);
  auto& p = pool(device);
  std::lock_guard<std::recursive_mutex> lock(p.mutex);
  for (auto* stat : {&p.stats.allocation, &p.stats.segment, &p.stats.active, &p.stats.allocated_bytes,
                     &p.stats.reserved_bytes, &p.stats.active_bytes, &p.stats.requested_bytes}) {
    for (auto& s : *stat) s.reset_accumulated();
  }
  p.stats.num_alloc_retries = 0;
  p.stats.num_ooms = 0;
  p.stats.num_device_alloc = 0;
  p.stats.num_device_free = 0;
}

void CachingAllocator::resetPeakStats(c10::DeviceIndex device) {
  check_device_index(device);
  auto& p = pool(device);
  std::lock_guard<std::recursive_mutex> lock(p.mutex);
  for (auto* stat : {&p.stats.allocation, &p.stats.segment, &p.stats.active, &p.stats.allocated_bytes,
                     &p.stats.reserved_bytes, &p.stats.active_bytes, &p.stats.requested_bytes}) {
    for (auto& s : *stat) s.reset_peak();
  }
}

std::pair<size_t, size_t> CachingAllocator::getMemoryInfo(c10::DeviceIndex device) {
  check_device_index(device);
  auto& dev = DeviceRegistry::instance().device(device);
  return {dev.capacity() - dev.used(), dev.capacity()};
}

REGISTER_ALLOCATOR(c10::DeviceType::PrivateUse1, &caching_allocator());

}  // namespace ttnn_device::core
