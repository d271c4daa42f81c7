// The ttnn caching allocator: torch's allocator for PrivateUse1. It hands out storages backed by
// DeviceBuffers, caches freed DRAM blocks per device for reuse, and keeps torch.cuda-style statistics.
#pragma once

#include <c10/core/CachingDeviceAllocator.h>

#include "core/device_buffer.h"

#include <optional>
#include <vector>

namespace ttnn_device::core {

class CachingAllocator final : public c10::DeviceAllocator {
 public:
  c10::DataPtr allocate(size_t bytes) override;
  // A storage of `bytes` logical bytes on `device` (not the current one: no device guard needed) whose
  // buffer already has physical format `desc`: an op's output, allocated at its physical size at once.
  // Throws std::invalid_argument when `desc` does not describe `bytes` logical bytes.
  c10::DataPtr allocate_formatted(c10::DeviceIndex device, size_t bytes, TensorDesc desc);
  c10::DeleterFnPtr raw_deleter() const override { return nullptr; }
  void copy_data(void* dest, const void* src, std::size_t count) const override;
  bool initialized() override { return true; }
  void emptyCache(c10::MempoolId_t mempool_id = {0, 0}) override;
  void recordStream(const c10::DataPtr&, c10::Stream) override {}
  c10::CachingDeviceAllocator::DeviceStats getDeviceStats(c10::DeviceIndex device) override;
  void resetAccumulatedStats(c10::DeviceIndex device) override;
  void resetPeakStats(c10::DeviceIndex device) override;
  std::pair<size_t, size_t> getMemoryInfo(c10::DeviceIndex device) override;

 private:
  c10::DataPtr allocate_on(c10::DeviceIndex device, size_t bytes, std::optional<TensorDesc> desc);
};

CachingAllocator& caching_allocator();

// One device block as torch.cuda.memory_snapshot describes a segment (blocks are never split here, so
// each segment is one block): live ones hold a storage (its address and the bytes torch asked for),
// cached ones are reserved and free.
struct SnapshotBlock {
  uint64_t address = 0;    // the storage's data pointer (0 for a cached block)
  uint64_t size = 0;       // bytes reserved on the device
  uint64_t requested = 0;  // bytes torch asked for (0 for a cached block)
  bool active = false;
};
std::vector<SnapshotBlock> memory_snapshot(c10::DeviceIndex device);
// The buffer behind a ttnn data pointer (a storage's base or any address inside it); nullptr if none.
DeviceBuffer* buffer_at(const void* address);

// Fault injection for the tests: the `nth` device block acquired from now on (1 = the next) raises
// torch.OutOfMemoryError as a full device would; 0 disarms it. acquisitions() counts every block acquired
// (tensor storages, intermediate results, re-layouts), so a test can fail each allocation of a forward in turn.
void inject_out_of_memory(int64_t nth);
// For the tests: hand out addresses from only the first `bytes` of each device's address window (0: all
// of it, 2^48 bytes), so that the wrap-around to the gaps between live buffers happens early.
void set_address_window_limit(uint64_t bytes);
uint64_t block_acquisitions();
c10::Device device_of_address(const void* address);

}  // namespace ttnn_device::core
