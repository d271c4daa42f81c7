// Where device buffers get their DRAM blocks: the caching allocator (caching_allocator.cpp) serves them
// through the device's runtime::BlockCache, which caches freed blocks and keeps the memory statistics.
#pragma once

#include <cstdint>

#include "runtime/device.h"

namespace ttnn_device::core {

// Raises torch's OutOfMemoryError (c10::OutOfMemoryError) naming ttnn:N, the requested and the free bytes
// if the device cannot hold `bytes` even after the cache is emptied; no live block is touched.
runtime::Block acquire_block(int device, uint64_t bytes);
void release_block(int device, runtime::Block block);

}  // namespace ttnn_device::core
