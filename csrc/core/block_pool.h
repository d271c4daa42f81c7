// Where device buffers get their DRAM blocks: the caching allocator (caching_allocator.cpp) serves them
// from its per-device cache or from the device, and keeps the memory statistics.
#pragma once

#include <cstdint>

#include "runtime/device.h"

namespace ttnn_device::core {

// Throws runtime::OutOfDeviceMemory if the device cannot hold `bytes` even after the cache is emptied.
runtime::Block acquire_block(int device, uint64_t bytes);
void release_block(int device, runtime::Block block);

}  // namespace ttnn_device::core
