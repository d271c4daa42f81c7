// The portable reference kernels (built from the per-tile primitives of tilize.h, block_float.h and
// bfloat16.h through a tile-order staging buffer) and the choice of the table conversions use.
#include "runtime/formats/tile_codec.h"

#include "runtime/config.h"

#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "runtime/formats/bfloat16.h"
#include "runtime/formats/block_float.h"
#include "runtime/formats/tilize.h"

namespace ttnn_device::runtime::formats {

namespace {

constexpr int kTile = 1024;

template <size_t E>
void copy_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  tilize_tile(block, row_stride, 32, 32, E, page);
}

template <size_t E>
void copy_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  untilize_tile(page, 32, 32, E, block, row_stride);
}

// Denormals (exponent bits 0, mantissa not 0) of a page of 1024 E-byte floats become +0.
template <size_t E>
void flush_page(uint8_t* page) {
  using Bits = std::conditional_t<E == 4, uint32_t, uint16_t>;
  constexpr Bits kExponent = E == 4 ? 0x7F800000u : 0x7F80u, kMantissa = E == 4 ? 0x007FFFFFu : 0x007Fu;
  for (int i = 0; i < kTile; ++i) {
    Bits bits;
    std::memcpy(&bits, page + i * E, E);
    if ((bits & kExponent) == 0 && (bits & kMantissa) != 0) std::memset(page + i * E, 0, E);
  }
}

template <size_t E>
void copy_encode_flushing(const uint8_t* block, size_t row_stride, uint8_t* page) {
  copy_encode<E>(block, row_stride, page);
  flush_page<E>(page);
}

// A block of host elements as a tile-order float32 tile (bfloat16 widens exactly).
template <bool kBf16Host>
void stage(const uint8_t* block, size_t row_stride, float* tile) {
  if constexpr (kBf16Host) {
    uint16_t half[kTile];
    tilize_tile(block, row_stride, 32, 32, 2, reinterpret_cast<uint8_t*>(half));
    for (int i = 0; i < kTile; ++i) tile[i] = bf16_bits_to_float(half[i]);
  } else {
    tilize_tile(block, row_stride, 32, 32, 4, reinterpret_cast<uint8_t*>(tile));
  }
}

// A tile-order float32 tile back into a block of host elements. Block-float values have at most 7
// significant bits, so bfloat16 holds them exactly: truncation keeps the value (and a NaN's sign) where
// rounding would canonicalise NaNs.
template <bool kBf16Host>
void unstage(const float* tile, uint8_t* block, size_t row_stride) {
  if constexpr (kBf16Host) {
    uint16_t half[kTile];
    for (int i = 0; i < kTile; ++i) half[i] = static_cast<uint16_t>(float_bits(tile[i]) >> 16);
    untilize_tile(reinterpret_cast<const uint8_t*>(half), 32, 32, 2, block, row_stride);
  } else {
    untilize_tile(reinterpret_cast<const uint8_t*>(tile), 32, 32, 4, block, row_stride);
  }
}

void bf16_page_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  float tile[kTile];
  stage<false>(block, row_stride, tile);
  uint16_t half[kTile];
  for (int i = 0; i < kTile; ++i) half[i] = float_to_bf16_bits(tile[i]);
  std::memcpy(page, half, sizeof half);
}

void bf16_page_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  uint16_t half[kTile];
  std::memcpy(half, page, sizeof half);
  float tile[kTile];
  for (int i = 0; i < kTile; ++i) tile[i] = bf16_bits_to_float(half[i]);
  unstage<false>(tile, block, row_stride);
}

template <bool kBf16Host, bool kBfp8>
void bfp_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  float tile[kTile];
  stage<kBf16Host>(block, row_stride, tile);
  kBfp8 ? pack_bfp8_tile(tile, page) : pack_bfp4_tile(tile, page);
}

template <bool kBf16Host, bool kBfp8>
void bfp_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  float tile[kTile];
  kBfp8 ? unpack_bfp8_tile(page, tile) : unpack_bfp4_tile(page, tile);
  unstage<kBf16Host>(tile, block, row_stride);
}

void run_bf16_from_f32(const float* src, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = float_to_bf16_bits(src[i]);
}

void run_f32_from_bf16(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_bits_to_float(src[i]);
}

const TileCodec kPortable = {
    "portable",
    {copy_encode<4>, copy_encode<2>, bf16_page_encode, bfp_encode<false, true>, bfp_encode<false, false>,
     bfp_encode<true, true>, bfp_encode<true, false>},
    {copy_encode<4>, copy_encode<2>, bf16_page_encode, bfp_encode<false, true>, bfp_encode<false, false>,
     bfp_encode<true, true>, bfp_encode<true, false>},
    {copy_decode<4>, copy_decode<2>, bf16_page_decode, bfp_decode<false, true>, bfp_decode<false, false>,
     bfp_decode<true, true>, bfp_decode<true, false>},
    {copy_encode_flushing<4>, copy_encode_flushing<2>},
    {copy_encode_flushing<4>, copy_encode_flushing<2>},
    run_bf16_from_f32,
    run_f32_from_bf16,
};

const TileCodec& choose() {
  // "auto" (and "avx512") take the fastest kernels the processor has.
  const std::string wanted = config::choice("TTNN_DEVICE_SIMD", {"auto", "portable", "avx2", "avx512"}, "auto");
  if (wanted == "portable") return kPortable;
  const bool avx2_asked = wanted == "avx2";
  if (const TileCodec* fast = avx512_tile_codec(); fast && !avx2_asked) return *fast;
  if (const TileCodec* fast = avx2_tile_codec()) return *fast;
  return kPortable;
}

}  // namespace

const TileCodec& portable_tile_codec() { return kPortable; }

const TileCodec& tile_codec() {
  static const TileCodec& chosen = choose();
  return chosen;
}

}  // namespace ttnn_device::runtime::formats
