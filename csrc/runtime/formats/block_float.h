// TT-NN's block-float tile pages, BFLOAT8_B and BFLOAT4_B (16 values share an exponent byte), one tile at a time. Torch-free.
//
// A page holds one 32x32 tile in tile order (see tilize.h): 64 shared-exponent bytes, one per group of 16
// consecutive elements (a face row), then the elements: BFP8 one byte each (sign + 7-bit magnitude with an
// explicit leading one), BFP4 one nibble each (sign + 3 bits), element 2k in the low nibble of byte k.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ttnn_device::runtime::formats {

constexpr size_t kBlockFloatGroup = 16;
constexpr size_t kBfpExponentBytes = 64;
constexpr size_t kBfp8PageBytes = kBfpExponentBytes + 1024;     // 1088
constexpr size_t kBfp4PageBytes = kBfpExponentBytes + 1024 / 2;  // 576

// Packs 1024 float32 values given in tile order with TT-NN's host rule: shared exponent from the
// largest-magnitude element before rounding, round-to-nearest-even from the full float32, saturation
// without exponent bump, +0 for results that round to zero, denormals as zero. Inf/NaN follow the same rule
// with their exponent field 0xFF (so such a group gets E = 0xFF and its finite elements mostly become 0).
void pack_bfp8_tile(const float* tile_order, uint8_t* page);
void pack_bfp4_tile(const float* tile_order, uint8_t* page);

// Unpacks one page into 1024 float32 values in tile order, exactly as TT-NN does for any page bytes (the
// element's leading one is normalised into a float32 exponent of E minus its shift, so E = 0xFF yields
// Inf/NaN and results with a negative exponent give +0).
void unpack_bfp8_tile(const uint8_t* page, float* tile_order);
void unpack_bfp4_tile(const uint8_t* page, float* tile_order);

}  // namespace ttnn_device::runtime::formats
