// Pinned host memory for Tensor.pin_memory() and DataLoader(pin_memory=True): page-locked (mlock) and
// cache-line aligned, so the device's host transfers read it in place and the OS never pages it out
// between a batch's loading and its copy. Where the process may not lock more memory (RLIMIT_MEMLOCK),
// the block is still aligned and tracked as pinned; pinned_host_stats() says how many bytes are locked.
#pragma once

#include <c10/core/Allocator.h>

#include <cstdint>

namespace ttnn_device::core {

at::Allocator* pinned_host_allocator();
// True for any address inside a live pinned block (torch asks with a storage's data pointer).
bool is_pinned_host(const void* ptr);

struct PinnedHostStats {
  uint64_t blocks = 0;
  uint64_t bytes = 0;
  uint64_t locked_bytes = 0;  // of `bytes`, those mlock succeeded on
};
PinnedHostStats pinned_host_stats();

}  // namespace ttnn_device::core
