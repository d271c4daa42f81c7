// Filling a byte range with copies of one element's bytes (fill_, zero_): every backend and the
// converted-format paths share it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ttnn_device::runtime {

// `bytes` bytes at `dst` become `pattern` repeated (the last copy cut short where it does not fit).
// The filled prefix doubles with each memcpy: a copy call per element would cost more than a tiny
// tensor's whole fill on the CPU.
inline void repeat_pattern(void* dst, uint64_t bytes, const void* pattern, uint64_t pattern_bytes) {
  auto* out = static_cast<unsigned char*>(dst);
  if (bytes == 0) return;
  if (pattern_bytes == 1) {
    std::memset(out, *static_cast<const unsigned char*>(pattern), bytes);
    return;
  }
  uint64_t filled = std::min(pattern_bytes, bytes);
  std::memcpy(out, pattern, filled);
  while (filled < bytes) {
    const uint64_t n = std::min(filled, bytes - filled);
    std::memcpy(out + filled, out, n);
    filled += n;
  }
}

}  // namespace ttnn_device::runtime
