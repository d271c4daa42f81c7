// What the SIMD kernel tables (tile_codec_avx2.cpp, tile_codec_avx512.cpp) share beyond the instruction
// set: where a block row's face row sits in a page, and BFP4 nibbles widened to bytes (SSE2, the x86-64
// baseline, so it inlines into kernels of either target). Loops that call target-specific lambdas stay in
// each file: GCC inlines those only into functions built for the same target.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)

#include <emmintrin.h>

#include <cstdint>

namespace ttnn_device::runtime::formats::simd {

// Page offset of face row `r % 16` of the face holding block row r, half h (0: columns 0-15, 1: 16-31),
// counted in elements of 16: the index of the row's group among the tile's 64.
constexpr int group_index(int r, int h) { return ((r / 16) * 2 + h) * 16 + r % 16; }

// Eight bytes of BFP4 codes as sixteen bytes, one code each, in element order (element 2k is the low
// nibble of byte k).
inline __m128i load_nibbles(const uint8_t* p) {
  const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  const __m128i low = _mm_and_si128(bytes, _mm_set1_epi8(0x0F));
  const __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), _mm_set1_epi8(0x0F));
  return _mm_unpacklo_epi8(low, high);
}

}  // namespace ttnn_device::runtime::formats::simd

#endif
