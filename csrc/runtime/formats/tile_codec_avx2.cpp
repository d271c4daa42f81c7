// AVX2 kernels for the conversions of tile_codec.h, byte-identical to the portable ones, for processors
// without AVX-512 (many AMD and older Intel servers), where the portable block-float loops run at a tenth
// of memory speed or less.
//
// The plan is the AVX-512 table's (tile_codec_avx512.cpp): a block-float group is the 16 consecutive host
// elements of one face row, here two 256-bit registers of eight float32 lanes, packed from and unpacked to
// the host block directly. AVX2 has per-lane variable shifts but no mask registers, no unsigned compares
// and no lzcnt, so masks are compare results and the leading one of a code is read from its conversion to
// float. Function-level target attributes keep the rest of the build at the baseline instruction set.
#include "runtime/formats/tile_codec.h"

#include "runtime/formats/simd_face_rows.h"

#if defined(__x86_64__) && defined(__GNUC__)

#include <immintrin.h>

#include <cstring>

#include "runtime/formats/bfloat16.h"

#define TTNN_AVX2 __attribute__((target("avx2,fma")))

namespace ttnn_device::runtime::formats {

namespace {

using simd::group_index;
using simd::load_nibbles;


// A group as two registers of float32 bit patterns: lanes 0-7 and 8-15.
struct Group {
  __m256i lo, hi;
};

TTNN_AVX2 inline __m256i set1(int v) { return _mm256_set1_epi32(v); }
TTNN_AVX2 inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
TTNN_AVX2 inline void store256(void* p, __m256i v) { _mm256_storeu_si256(static_cast<__m256i*>(p), v); }

// Eight 16-bit values widened to the high halves of 32-bit lanes (bfloat16 -> float32 bits, exact).
TTNN_AVX2 inline __m256i widen_bf16(__m128i h) { return _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16); }

// The low 16 bits of each 32-bit lane of two registers (values below 2^16), in lane order.
TTNN_AVX2 inline __m256i narrow_to_16(__m256i lo, __m256i hi) {
  return _mm256_permute4x64_epi64(_mm256_packus_epi32(lo, hi), 0xD8);
}

template <bool kBf16Host>
TTNN_AVX2 inline Group load_group(const uint8_t* p) {
  if constexpr (kBf16Host) {
    const __m256i h = load256(p);
    return {widen_bf16(_mm256_castsi256_si128(h)), widen_bf16(_mm256_extracti128_si256(h, 1))};
  } else {
    return {load256(p), load256(p + 32)};
  }
}

// bfloat16 hosts truncate (exact for block-float values, and it keeps a NaN's payload as the portable does).
template <bool kBf16Host>
TTNN_AVX2 inline void store_group(uint8_t* p, const Group& g) {
  if constexpr (kBf16Host) {
    store256(p, narrow_to_16(_mm256_srli_epi32(g.lo, 16), _mm256_srli_epi32(g.hi, 16)));
  } else {
    store256(p, g.lo);
    store256(p + 32, g.hi);
  }
}

// The integer packing rule for eight lanes (pack_group in block_float.cpp): exact for every shared exponent.
template <int M>
TTNN_AVX2 inline __m256i pack_magnitudes_exact(__m256i u, uint32_t shared) {
  const __m256i e = _mm256_and_si256(_mm256_srli_epi32(u, 23), set1(0xFF));
  const __m256i is_zero_exponent = _mm256_cmpeq_epi32(e, _mm256_setzero_si256());
  const __m256i significand =
      _mm256_andnot_si256(is_zero_exponent, _mm256_or_si256(_mm256_and_si256(u, set1(0x7FFFFF)), set1(0x800000)));
  const __m256i distance = _mm256_sub_epi32(set1(static_cast<int>(24 - M + shared)), e);
  const __m256i shift = _mm256_min_epu32(distance, set1(31));  // >= 24 - M, so shift - 1 >= 0
  const __m256i one = set1(1);
  const __m256i half_minus_one = _mm256_sub_epi32(_mm256_sllv_epi32(one, _mm256_sub_epi32(shift, one)), one);
  const __m256i lsb = _mm256_and_si256(_mm256_srlv_epi32(significand, shift), one);
  return _mm256_srlv_epi32(_mm256_add_epi32(_mm256_add_epi32(significand, half_minus_one), lsb), shift);
}

// The same through the FPU for shared exponents 8..254: |x| * 2^(M - 1 + 127 - shared) is exactly the
// significand over 2^shift, below 2^M, and the conversion rounds to nearest even (the default rounding
// mode), as the integer rule does. Float32 denormals become 0, as TT-NN treats them.
template <int M>
TTNN_AVX2 inline __m256i pack_magnitudes_scaled(__m256i magnitude_bits, uint32_t shared) {
  const __m256 scale = _mm256_castsi256_ps(set1(static_cast<int>(M + 253 - shared) << 23));
  const __m256i normal = _mm256_cmpgt_epi32(magnitude_bits, set1(0x007FFFFF));  // both below 2^31
  const __m256 scaled = _mm256_mul_ps(_mm256_castsi256_ps(magnitude_bits), scale);
  return _mm256_and_si256(normal, _mm256_cvtps_epi32(scaled));
}

template <int M>
TTNN_AVX2 inline __m256i codes_of(__m256i u, __m256i magnitude_bits, uint32_t shared) {
  __m256i m = (shared >= 8 && shared < 255) ? pack_magnitudes_scaled<M>(magnitude_bits, shared)
                                            : pack_magnitudes_exact<M>(u, shared);
  m = _mm256_min_epu32(m, set1((1 << M) - 1));  // rounding past the largest code saturates
  const __m256i nonzero = _mm256_xor_si256(_mm256_cmpeq_epi32(m, _mm256_setzero_si256()), set1(-1));
  const __m256i sign = _mm256_and_si256(nonzero, _mm256_and_si256(_mm256_srli_epi32(u, 31 - M), set1(1 << M)));
  return _mm256_or_si256(m, sign);
}

TTNN_AVX2 inline uint32_t max_u32(__m256i a, __m256i b) {
  __m256i m = _mm256_max_epu32(a, b);
  __m128i x = _mm_max_epu32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
  x = _mm_max_epu32(x, _mm_shuffle_epi32(x, 0x4E));
  x = _mm_max_epu32(x, _mm_shuffle_epi32(x, 0xB1));
  return static_cast<uint32_t>(_mm_cvtsi128_si32(x));
}

// One group: writes its shared exponent (the exponent field of the largest magnitude bit pattern) and
// returns the 16 sign-magnitude codes as bytes, in element order.
template <int M>
TTNN_AVX2 inline __m128i pack_group(const Group& g, uint8_t* exponent) {
  const __m256i abs_mask = set1(0x7FFFFFFF);
  const __m256i mag_lo = _mm256_and_si256(g.lo, abs_mask), mag_hi = _mm256_and_si256(g.hi, abs_mask);
  const uint32_t shared = max_u32(mag_lo, mag_hi) >> 23;
  *exponent = static_cast<uint8_t>(shared);
  const __m256i words = narrow_to_16(codes_of<M>(g.lo, mag_lo, shared), codes_of<M>(g.hi, mag_hi, shared));
  return _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
}

// Codes as page bytes: BFP8 one per byte; BFP4 element 2k in the low nibble of byte k.
template <int M>
TTNN_AVX2 inline void store_codes(uint8_t* p, __m128i codes) {
  if constexpr (M == 7) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), codes);
  } else {
    // A 16-bit lane holds codes 2k (low byte) and 2k + 1 (high byte): lane | lane >> 4 has the pair in its low byte.
    const __m128i pairs = _mm_and_si128(_mm_or_si128(codes, _mm_srli_epi16(codes, 4)), _mm_set1_epi16(0x00FF));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(pairs, pairs));
  }
}


// TT-NN's unpacking of eight codes (unpack_code in block_float.cpp): the magnitude's leading one becomes the
// implicit bit; a negative exponent gives +0, a zero magnitude keeps its sign. floor(log2(mag)) is read from
// the exponent of mag converted to float (exact below 2^24).
template <int M>
TTNN_AVX2 inline __m256i unpack_lanes(__m256i c, uint32_t shared) {
  const __m256i sign = _mm256_slli_epi32(_mm256_and_si256(c, set1(1 << M)), 31 - M);
  const __m256i magnitude = _mm256_and_si256(c, set1((1 << M) - 1));
  if (shared >= M && shared < 255) {
    // Every nonzero code decodes to a normal float: magnitude * 2^(shared - 127 - (M - 1)), exactly.
    const __m256 scale = _mm256_castsi256_ps(set1(static_cast<int>(shared - (M - 1)) << 23));
    const __m256 value = _mm256_mul_ps(_mm256_cvtepi32_ps(magnitude), scale);
    return _mm256_or_si256(_mm256_castps_si256(value), sign);
  }
  const __m256i log2 = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(magnitude)), 23), set1(127));
  const __m256i shift = _mm256_sub_epi32(set1(M - 1), log2);
  const __m256i exponent = _mm256_sub_epi32(set1(static_cast<int>(shared)), shift);
  const __m256i fraction = _mm256_and_si256(_mm256_sllv_epi32(magnitude, shift), set1((1 << (M - 1)) - 1));
  const __m256i bits = _mm256_or_si256(_mm256_or_si256(sign, _mm256_slli_epi32(exponent, 23)),
                                       _mm256_slli_epi32(fraction, 23 - (M - 1)));
  const __m256i zero = _mm256_cmpeq_epi32(magnitude, _mm256_setzero_si256());
  const __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), exponent);
  // zero magnitude: the sign alone; negative exponent: +0; else the bits.
  const __m256i normal_bits = _mm256_andnot_si256(negative, bits);
  return _mm256_blendv_epi8(normal_bits, sign, zero);
}

template <int M>
TTNN_AVX2 inline Group unpack_group(__m128i codes, uint32_t shared) {
  return {unpack_lanes<M>(_mm256_cvtepu8_epi32(codes), shared),
          unpack_lanes<M>(_mm256_cvtepu8_epi32(_mm_srli_si128(codes, 8)), shared)};
}

// fn(host, g) for each of the block's 64 face rows: `host` its 16 elements, g its group in the page.
template <size_t HostE, typename Byte, typename Fn>
TTNN_AVX2 inline void each_face_row(Byte* block, size_t row_stride, Fn fn) {
  for (int r = 0; r < 32; ++r) {
    Byte* row = block + static_cast<size_t>(r) * row_stride;
    fn(row, group_index(r, 0));
    fn(row + 16 * HostE, group_index(r, 1));
  }
}

template <bool kBf16Host, int M>
TTNN_AVX2 void bfp_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  uint8_t* codes = page + 64;
  each_face_row<kBf16Host ? 2 : 4>(block, row_stride, [&](const uint8_t* host, int g) TTNN_AVX2 {
    store_codes<M>(codes + g * (M == 7 ? 16 : 8), pack_group<M>(load_group<kBf16Host>(host), page + g));
  });
}

template <bool kBf16Host, int M>
TTNN_AVX2 void bfp_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  const uint8_t* codes = page + 64;
  each_face_row<kBf16Host ? 2 : 4>(block, row_stride, [&](uint8_t* host, int g) TTNN_AVX2 {
    const __m128i c = M == 7 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + g * 16))
                             : load_nibbles(codes + g * 8);
    store_group<kBf16Host>(host, unpack_group<M>(c, page[g]));
  });
}

// float32 -> bfloat16 bits in the low half of each lane, TT-NN's rounding (bfloat16.h): nearest even,
// every NaN the canonical 0x7FC0.
TTNN_AVX2 inline __m256i round_bf16(__m256i u) {
  const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, set1(0x7FFFFFFF)), set1(0x7F800000));
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), set1(1));
  const __m256i r = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(u, set1(0x7FFF)), lsb), 16);
  return _mm256_blendv_epi8(r, set1(0x7FC0), nan);
}

// Lanes of E-byte floats with their denormals (exponent bits 0, mantissa not 0) made +0.
template <size_t E>
TTNN_AVX2 inline __m256i flush_denormals(__m256i v) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i no_exponent, no_mantissa;
  if constexpr (E == 4) {
    no_exponent = _mm256_cmpeq_epi32(_mm256_and_si256(v, set1(0x7F800000)), zero);
    no_mantissa = _mm256_cmpeq_epi32(_mm256_and_si256(v, set1(0x007FFFFF)), zero);
  } else {
    no_exponent = _mm256_cmpeq_epi16(_mm256_and_si256(v, _mm256_set1_epi16(0x7F80)), zero);
    no_mantissa = _mm256_cmpeq_epi16(_mm256_and_si256(v, _mm256_set1_epi16(0x007F)), zero);
  }
  return _mm256_andnot_si256(_mm256_andnot_si256(no_mantissa, no_exponent), v);
}

// Verbatim tiles: a face row is 64 or 32 bytes on both sides. kFlush: denormals made +0 on the way
// (TileCodec::encode_flushing).
template <size_t HostE, bool kFlush = false>
TTNN_AVX2 void copy_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  each_face_row<HostE>(block, row_stride, [&](const uint8_t* host, int g) TTNN_AVX2 {
    for (size_t b = 0; b < 16 * HostE; b += 32) {
      const __m256i v = load256(host + b);
      store256(page + g * 16 * HostE + b, kFlush ? flush_denormals<HostE>(v) : v);
    }
  });
}

template <size_t HostE>
TTNN_AVX2 void copy_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  each_face_row<HostE>(block, row_stride, [&](uint8_t* host, int g) TTNN_AVX2 {
    for (size_t b = 0; b < 16 * HostE; b += 32) store256(host + b, load256(page + g * 16 * HostE + b));
  });
}

TTNN_AVX2 void bf16_page_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  each_face_row<4>(block, row_stride, [&](const uint8_t* host, int g) TTNN_AVX2 {
    store256(page + g * 32, narrow_to_16(round_bf16(load256(host)), round_bf16(load256(host + 32))));
  });
}

TTNN_AVX2 void bf16_page_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  each_face_row<4>(block, row_stride, [&](uint8_t* host, int g) TTNN_AVX2 {
    const __m256i h = load256(page + g * 32);
    store256(host, widen_bf16(_mm256_castsi256_si128(h)));
    store256(host + 32, widen_bf16(_mm256_extracti128_si256(h, 1)));
  });
}

TTNN_AVX2 void run_bf16_from_f32(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) store256(dst + i, narrow_to_16(round_bf16(load256(src + i)), round_bf16(load256(src + i + 8))));
  for (; i < n; ++i) dst[i] = float_to_bf16_bits(src[i]);
}

TTNN_AVX2 void run_f32_from_bf16(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) store256(dst + i, widen_bf16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
  for (; i < n; ++i) dst[i] = bf16_bits_to_float(src[i]);
}

const TileCodec kAvx2 = {
    "avx2",
    {copy_encode<4>, copy_encode<2>, bf16_page_encode, bfp_encode<false, 7>, bfp_encode<false, 3>,
     bfp_encode<true, 7>, bfp_encode<true, 3>},
    {copy_encode<4>, copy_encode<2>, bf16_page_encode, bfp_encode<false, 7>, bfp_encode<false, 3>,
     bfp_encode<true, 7>, bfp_encode<true, 3>},
    {copy_decode<4>, copy_decode<2>, bf16_page_decode, bfp_decode<false, 7>, bfp_decode<false, 3>,
     bfp_decode<true, 7>, bfp_decode<true, 3>},
    {copy_encode<4, true>, copy_encode<2, true>},
    {copy_encode<4, true>, copy_encode<2, true>},
    run_bf16_from_f32,
    run_f32_from_bf16,
};

}  // namespace

const TileCodec* avx2_tile_codec() {
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return supported ? &kAvx2 : nullptr;
}

}  // namespace ttnn_device::runtime::formats

#else  // not x86-64 with GCC/Clang: the portable table only

namespace ttnn_device::runtime::formats {
const TileCodec* avx2_tile_codec() { return nullptr; }
}  // namespace ttnn_device::runtime::formats

#endif
