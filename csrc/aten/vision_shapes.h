// Output sizes of convolutions and pools, and torch's one-or-two-int arguments, shared by the vision
// kernels and their gradients.
#pragma once

#include <c10/util/ArrayRef.h>

#include <cstdint>
#include <vector>

namespace ttnn_device::aten {

inline int64_t conv_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}
inline int64_t conv_transpose_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, int64_t op) {
  return (in - 1) * s - 2 * p + d * (k - 1) + op + 1;
}
// A kernel_size / stride / padding argument as two ints (one given: both; none: `fallback`'s).
inline std::vector<int64_t> pair(c10::IntArrayRef v, c10::IntArrayRef fallback) {
  if (v.empty()) v = fallback;
  return {v[0], v.size() > 1 ? v[1] : v[0]};
}

}  // namespace ttnn_device::aten
