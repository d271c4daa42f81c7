// float32 <-> bfloat16 bit conversions with TT-NN's host rounding (to nearest even, as ttnn.from_torch rounds). Torch-free.
#pragma once

#include <cstdint>
#include <cstring>

namespace ttnn_device::runtime::formats {

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Round to nearest even on the dropped 16 bits. Overflow carries into the exponent and so gives +-Inf,
// denormals round like any other value (TT-NN keeps them on the host), and every NaN becomes the canonical
// quiet NaN 0x7FC0 because TT-NN drops NaN sign and payload.
inline uint16_t float_to_bf16_bits(float f) {
  const uint32_t u = float_bits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0;
  const uint32_t lsb = (u >> 16) & 1u;
  return static_cast<uint16_t>((u + 0x7FFFu + lsb) >> 16);
}

// Exact: every bfloat16 is a float32 with 16 zero low bits.
inline float bf16_bits_to_float(uint16_t b) { return bits_float(static_cast<uint32_t>(b) << 16); }

}  // namespace ttnn_device::runtime::formats
