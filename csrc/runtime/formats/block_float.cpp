#include "runtime/formats/block_float.h"

#include <cstring>

namespace ttnn_device::runtime::formats {

namespace {

// M = magnitude bits per element (7 for BFP8, 3 for BFP4); the sign sits just above them.
template <int M>
struct Codes {
  static constexpr uint32_t kMaxMagnitude = (1u << M) - 1;
  static constexpr uint32_t kSign = 1u << M;
};

// Packs the 16 values of one group into its shared exponent and 16 sign-magnitude codes.
template <int M>
uint8_t pack_group(const float* values, uint8_t* codes) {
  uint32_t bits[kBlockFloatGroup];
  std::memcpy(bits, values, sizeof bits);

  // Inf and NaN need no special case: their exponent field 0xFF becomes the shared exponent and their
  // significand packs like any other (Inf -> the bare leading one, a quiet NaN -> leading one + top fraction
  // bit), while finite neighbours are shifted against 2^128 and mostly vanish (ttnn keeps the ones close
  // to the float32 maximum, e.g. 3e38 -> 0x38 in BFP8 and -> the Inf code in BFP4).
  uint32_t shared = 0;
  for (size_t i = 0; i < kBlockFloatGroup; ++i) {
    const uint32_t e = (bits[i] >> 23) & 0xFFu;
    shared = e > shared ? e : shared;
  }

  // Branch-free per element (this loop is the whole cost of packing): align the 24-bit significand to the
  // shared exponent keeping M bits, i.e. shift right by (24 - M) + (shared - e). Shifts of 25 and more
  // leave nothing, so clamping them to 31 keeps the arithmetic in 32 bits without changing results.
  for (size_t i = 0; i < kBlockFloatGroup; ++i) {
    const uint32_t u = bits[i];
    const uint32_t e = (u >> 23) & 0xFFu;
    // Zero and float32 denormals (e == 0) contribute a zero significand and so encode as +0.
    const uint32_t significand = e ? ((u & 0x7FFFFFu) | 0x800000u) : 0u;
    const uint32_t distance = static_cast<uint32_t>(24 - M) + (shared - e);
    const uint32_t shift = distance < 31u ? distance : 31u;
    // Round to nearest, ties to even, over all dropped bits: add half an ulp minus one, plus the kept lsb.
    uint32_t m = (significand + ((1u << (shift - 1)) - 1u) + ((significand >> shift) & 1u)) >> shift;
    // Rounding past the largest magnitude saturates; the shared exponent is never bumped.
    m = m < Codes<M>::kMaxMagnitude ? m : Codes<M>::kMaxMagnitude;
    // A result of magnitude 0 is +0: the sign is dropped.
    const uint32_t sign = m ? ((u >> 31) << M) : 0u;
    codes[i] = static_cast<uint8_t>(sign | m);
  }
  return static_cast<uint8_t>(shared);
}

// Decodes one sign-magnitude code under shared exponent `shared` the way TT-NN's unpacker does: normalise
// the magnitude so its leading one becomes the implicit bit, lowering the exponent by the shift.
template <int M>
uint32_t unpack_code(uint32_t code, uint32_t shared) {
  const uint32_t sign = (code & Codes<M>::kSign) ? 0x80000000u : 0u;
  const uint32_t mag = code & Codes<M>::kMaxMagnitude;
  if (mag == 0) return sign;
  // Position of the leading one within the M magnitude bits: shift = (M - 1) - floor(log2(mag)).
  const int lead = 31 - __builtin_clz(mag);
  const int shift = (M - 1) - lead;
  const int exponent = static_cast<int>(shared) - shift;
  if (exponent < 0) return 0;  // TT-NN gives +0 here, not a denormal and not -0
  const uint32_t fraction = (mag << shift) & ((1u << (M - 1)) - 1u);
  return sign | (static_cast<uint32_t>(exponent) << 23) | (fraction << (23 - (M - 1)));
}

}  // namespace

void pack_bfp8_tile(const float* tile_order, uint8_t* page) {
  uint8_t* mantissas = page + kBfpExponentBytes;
  for (size_t g = 0; g < 64; ++g) {
    page[g] = pack_group<7>(tile_order + g * kBlockFloatGroup, mantissas + g * kBlockFloatGroup);
  }
}

void pack_bfp4_tile(const float* tile_order, uint8_t* page) {
  uint8_t* mantissas = page + kBfpExponentBytes;
  uint8_t codes[kBlockFloatGroup];
  for (size_t g = 0; g < 64; ++g) {
    page[g] = pack_group<3>(tile_order + g * kBlockFloatGroup, codes);
    uint8_t* out = mantissas + g * (kBlockFloatGroup / 2);
    for (size_t k = 0; k < kBlockFloatGroup / 2; ++k) {
      out[k] = static_cast<uint8_t>(codes[2 * k] | (codes[2 * k + 1] << 4));  // element 2k in the low nibble
    }
  }
}

void unpack_bfp8_tile(const uint8_t* page, float* tile_order) {
  const uint8_t* mantissas = page + kBfpExponentBytes;
  uint32_t bits[1024];
  for (size_t i = 0; i < 1024; ++i) bits[i] = unpack_code<7>(mantissas[i], page[i / kBlockFloatGroup]);
  std::memcpy(tile_order, bits, sizeof bits);
}

void unpack_bfp4_tile(const uint8_t* page, float* tile_order) {
  const uint8_t* mantissas = page + kBfpExponentBytes;
  uint32_t bits[1024];
  for (size_t i = 0; i < 1024; i += 2) {
    const uint32_t shared = page[i / kBlockFloatGroup];
    const uint8_t byte = mantissas[i / 2];
    bits[i] = unpack_code<3>(byte & 0x0Fu, shared);
    bits[i + 1] = unpack_code<3>(byte >> 4, shared);
  }
  std::memcpy(tile_order, bits, sizeof bits);
}

}  // namespace ttnn_device::runtime::formats
