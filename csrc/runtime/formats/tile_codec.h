// The inner loops of every format conversion, as one table of kernels per instruction set. Torch-free.
//
// A tile kernel converts one full 32x32 tile between a row-major block of host elements (its top-left
// element at `block`, rows `row_stride` bytes apart) and the tile's page (tile order, see tilize.h; block
// floats as in block_float.h), so a conversion reads the host tensor once and writes each page once, with
// no tile-order staging in between. Edge tiles are padded to a full block by the caller. A run kernel
// converts n consecutive elements (ROW_MAJOR BFLOAT16 storages).
//
// The portable kernels are the reference: every other table must give the same bytes (tests compare them on
// random and special values). The fastest table the CPU supports is chosen once, at first use;
// TTNN_DEVICE_SIMD=portable forces the reference, TTNN_DEVICE_SIMD=avx2 the AVX2 table (where the CPU has it).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ttnn_device::runtime::formats {

// The conversions a tile kernel exists for: host element -> page format.
enum class TileKind : int {
  kCopy32 = 0,   // 4-byte elements, verbatim (FLOAT32, INT32, UINT32)
  kCopy16,       // 2-byte elements, verbatim (BFLOAT16, UINT16)
  kF32Bf16,      // FLOAT32 host -> BFLOAT16 page (round to nearest even; decode is exact)
  kF32Bfp8,      // FLOAT32 host -> BFLOAT8_B page
  kF32Bfp4,      // FLOAT32 host -> BFLOAT4_B page
  kBf16Bfp8,     // BFLOAT16 host -> BFLOAT8_B page (decode truncates, which is exact for block floats)
  kBf16Bfp4,     // BFLOAT16 host -> BFLOAT4_B page
  kCount,
};

// The verbatim float kinds that also have kernels flushing denormals as they copy (TileCodec::encode_flushing).
enum class FlushKind : int {
  kFloat32 = 0,  // kCopy32 of FLOAT32 elements
  kBfloat16,     // kCopy16 of BFLOAT16 elements
  kCount,
};

using EncodeTileFn = void (*)(const uint8_t* block, size_t row_stride, uint8_t* page);
using DecodeTileFn = void (*)(const uint8_t* page, uint8_t* block, size_t row_stride);
using Bf16FromF32Fn = void (*)(const float* src, uint16_t* dst, int64_t n);
using F32FromBf16Fn = void (*)(const uint16_t* src, float* dst, int64_t n);

struct TileCodec {
  const char* name;
  EncodeTileFn encode[static_cast<int>(TileKind::kCount)];
  // The same bytes written with non-temporal stores, for conversions whose output is larger than the
  // caches (a store that bypasses them skips reading each destination line first: a third of the memory
  // traffic of a tilize). Pages must be 64-byte aligned. Tables without such stores repeat `encode`.
  EncodeTileFn encode_streaming[static_cast<int>(TileKind::kCount)];
  DecodeTileFn decode[static_cast<int>(TileKind::kCount)];
  // Verbatim float tiles written as the card's packer writes an op's results: a denormal (exponent bits 0,
  // mantissa not 0) becomes +0 on its way to the page, zeros keep their sign; by FlushKind, with cached
  // and with non-temporal stores. One pass where a copy and then a flush of the page would read the
  // output again (from memory, after streaming stores).
  EncodeTileFn encode_flushing[static_cast<int>(FlushKind::kCount)];
  EncodeTileFn encode_flushing_streaming[static_cast<int>(FlushKind::kCount)];
  Bf16FromF32Fn bf16_from_f32;
  F32FromBf16Fn f32_from_bf16;
};

// The table conversions use: the fastest one this CPU runs (chosen once).
const TileCodec& tile_codec();
// The portable reference table, and the AVX-512 and AVX2 ones (nullptr when the CPU or the build lacks it).
const TileCodec& portable_tile_codec();
const TileCodec* avx512_tile_codec();
const TileCodec* avx2_tile_codec();

}  // namespace ttnn_device::runtime::formats
