// AVX-512 kernels (F, BW, VL, CD) for the conversions of tile_codec.h, byte-identical to the portable ones.
//
// A block-float group is 16 consecutive elements of one face row, which is 16 consecutive host elements of
// one block row: exactly one 512-bit register of float32 lanes. Every group is packed from and unpacked to
// the host block directly, so one tile touches 32 host rows and one page and nothing else. Built with
// function-level target attributes, so the rest of the extension keeps the baseline instruction set and
// this table is used only where the CPU reports the features.
#include "runtime/formats/tile_codec.h"

#include "runtime/formats/simd_face_rows.h"

#if defined(__x86_64__) && defined(__GNUC__)

// GCC 12's AVX-512 headers start some intrinsics (reductions, narrowing moves) from a deliberately
// undefined register, which -Wuninitialized reports at every use.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#define TTNN_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512cd")))

namespace ttnn_device::runtime::formats {

namespace {

using simd::group_index;
using simd::load_nibbles;


// 16 host elements as float32 bit patterns.
template <bool kBf16Host>
TTNN_AVX512 inline __m512i load_group(const uint8_t* p) {
  if constexpr (kBf16Host) {
    return _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))), 16);
  } else {
    return _mm512_loadu_si512(p);
  }
}

// 16 float32 bit patterns stored as host elements; bfloat16 hosts truncate (exact for block-float values).
template <bool kBf16Host>
TTNN_AVX512 inline void store_group(uint8_t* p, __m512i bits) {
  if constexpr (kBf16Host) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_cvtepi32_epi16(_mm512_srli_epi32(bits, 16)));
  } else {
    _mm512_storeu_si512(p, bits);
  }
}

// Page stores, plain or non-temporal (kStream: the destination is 64-byte aligned and larger than the
// caches; see TileCodec::encode_streaming). A streaming kernel ends with a store fence, so its page is
// complete for any thread that reads it next.
template <bool kStream>
TTNN_AVX512 inline void put512(uint8_t* p, __m512i v) {
  if constexpr (kStream) {
    _mm512_stream_si512(reinterpret_cast<__m512i*>(p), v);
  } else {
    _mm512_storeu_si512(p, v);
  }
}
template <bool kStream>
TTNN_AVX512 inline void put256(uint8_t* p, __m256i v) {
  if constexpr (kStream) {
    _mm256_stream_si256(reinterpret_cast<__m256i*>(p), v);
  } else {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  }
}
template <bool kStream>
TTNN_AVX512 inline void put128(uint8_t* p, __m128i v) {
  if constexpr (kStream) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(p), v);
  } else {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
  }
}
template <bool kStream>
TTNN_AVX512 inline void put64(uint8_t* p, __m128i v) {  // the low 8 bytes of v
  if constexpr (kStream) {
    _mm_stream_si64(reinterpret_cast<long long*>(p), _mm_cvtsi128_si64(v));
  } else {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), v);
  }
}

// TT-NN's host packing rule for one group, in integers (see pack_group in block_float.cpp, whose steps
// these are lane by lane): each significand is aligned to the shared exponent keeping M bits with
// round-to-nearest-even over all dropped bits, saturating, and a zero magnitude drops its sign. Exact for
// every shared exponent, Inf and NaN included.
template <int M>
TTNN_AVX512 inline __m512i pack_magnitudes_exact(__m512i u, uint32_t shared) {
  const __m512i e = _mm512_and_si512(_mm512_srli_epi32(u, 23), _mm512_set1_epi32(0xFF));
  const __m512i significand = _mm512_maskz_or_epi32(_mm512_test_epi32_mask(e, e), _mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFF)),
                                                    _mm512_set1_epi32(0x800000));
  const __m512i distance = _mm512_sub_epi32(_mm512_set1_epi32(static_cast<int>(24 - M + shared)), e);
  const __m512i shift = _mm512_min_epu32(distance, _mm512_set1_epi32(31));  // >= 24 - M, so shift - 1 >= 0
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i half_minus_one = _mm512_sub_epi32(_mm512_sllv_epi32(one, _mm512_sub_epi32(shift, one)), one);
  const __m512i lsb = _mm512_and_si512(_mm512_srlv_epi32(significand, shift), one);
  return _mm512_srlv_epi32(_mm512_add_epi32(_mm512_add_epi32(significand, half_minus_one), lsb), shift);
}

// The same magnitudes through the FPU, for the usual shared exponents (8..254): |x| * 2^(M - 1 + 127 - shared)
// is exactly significand / 2^shift (scaling a normal float by a power of two is exact while the result is
// normal, and results below 2^-126 are far below the 0.5 that rounds to 1), and the conversion to integer
// rounds to nearest even, as the integer rule does. Float32 denormals are masked to zero, as TT-NN treats them.
template <int M>
TTNN_AVX512 inline __m512i pack_magnitudes_scaled(__m512i magnitude_bits, uint32_t shared) {
  const __m512 scale = _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(M + 253 - shared) << 23));
  const __mmask16 normal = _mm512_cmpge_epu32_mask(magnitude_bits, _mm512_set1_epi32(0x00800000));
  const __m512 scaled = _mm512_mul_ps(_mm512_castsi512_ps(magnitude_bits), scale);
  return _mm512_maskz_cvt_roundps_epu32(normal, scaled, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

// One group: writes the shared exponent (the largest exponent field, which is the exponent field of the
// largest magnitude bit pattern) and returns the 16 sign-magnitude codes, one per 32-bit lane.
template <int M>
TTNN_AVX512 inline __m512i pack_group(__m512i u, uint8_t* exponent) {
  const __m512i magnitude_bits = _mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF));
  const uint32_t shared = _mm512_reduce_max_epu32(magnitude_bits) >> 23;
  *exponent = static_cast<uint8_t>(shared);
  __m512i m = (shared >= 8 && shared < 255) ? pack_magnitudes_scaled<M>(magnitude_bits, shared)
                                            : pack_magnitudes_exact<M>(u, shared);
  m = _mm512_min_epu32(m, _mm512_set1_epi32((1 << M) - 1));  // rounding past the largest code saturates
  const __m512i sign = _mm512_maskz_and_epi32(_mm512_test_epi32_mask(m, m), _mm512_srli_epi32(u, 31 - M),
                                              _mm512_set1_epi32(1 << M));
  return _mm512_or_si512(m, sign);
}

// TT-NN's unpacking of 16 sign-magnitude codes (see unpack_code in block_float.cpp), in integers: the
// magnitude's leading one becomes the implicit bit, lowering the exponent by its distance from the top; a
// negative exponent gives +0 and a zero magnitude keeps its sign. Exact for every shared exponent.
template <int M>
TTNN_AVX512 inline __m512i unpack_exact(__m512i sign, __m512i magnitude, uint32_t shared) {
  // For a magnitude > 0: shift = (M - 1) - floor(log2(mag)) = lzcnt(mag) - (32 - M).
  const __m512i shift = _mm512_sub_epi32(_mm512_lzcnt_epi32(magnitude), _mm512_set1_epi32(32 - M));
  const __m512i exponent = _mm512_sub_epi32(_mm512_set1_epi32(static_cast<int>(shared)), shift);
  const __m512i fraction = _mm512_and_si512(_mm512_sllv_epi32(magnitude, shift), _mm512_set1_epi32((1 << (M - 1)) - 1));
  const __m512i bits = _mm512_or_si512(_mm512_or_si512(sign, _mm512_slli_epi32(exponent, 23)),
                                       _mm512_slli_epi32(fraction, 23 - (M - 1)));
  const __mmask16 nonzero = _mm512_test_epi32_mask(magnitude, magnitude);
  const __mmask16 normal = nonzero & _mm512_cmpge_epi32_mask(exponent, _mm512_setzero_si512());
  return _mm512_mask_mov_epi32(_mm512_maskz_mov_epi32(static_cast<__mmask16>(~nonzero), sign), normal, bits);
}

template <int M>
TTNN_AVX512 inline __m512i unpack_group(__m128i codes, uint32_t shared) {
  const __m512i c = _mm512_cvtepu8_epi32(codes);
  const __m512i sign = _mm512_slli_epi32(_mm512_and_si512(c, _mm512_set1_epi32(1 << M)), 31 - M);
  const __m512i magnitude = _mm512_and_si512(c, _mm512_set1_epi32((1 << M) - 1));
  if (shared < M || shared == 255) return unpack_exact<M>(sign, magnitude, shared);
  // Shared exponents M..254: every nonzero code decodes to a normal float, magnitude * 2^(shared - 127 -
  // (M - 1)) exactly (an integer below 2^M converts exactly, and the power-of-two scaling stays normal).
  const __m512 scale = _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(shared - (M - 1)) << 23));
  const __m512 value = _mm512_mul_ps(_mm512_cvtepi32_ps(magnitude), scale);
  return _mm512_or_si512(_mm512_castps_si512(value), sign);
}

// Codes as bytes: BFP8 one per byte; BFP4 element 2k in the low nibble of byte k, which for the 64-bit
// lane holding codes 2k (low half) and 2k + 1 (high half) is the low byte of lane | lane >> 28.
template <int M, bool kStream = false>
TTNN_AVX512 inline void store_codes(uint8_t* p, __m512i codes) {
  if constexpr (M == 7) {
    put128<kStream>(p, _mm512_cvtepi32_epi8(codes));
  } else {
    put64<kStream>(p, _mm512_cvtepi64_epi8(_mm512_or_si512(codes, _mm512_srli_epi64(codes, 28))));
  }
}


// Visits the 64 face rows of a block: fn(host, g) with `host` the row's 16 elements in the block and g its
// group index in the page. HostE is the host element size; Byte is uint8_t or const uint8_t.
template <size_t HostE, typename Byte, typename Fn>
TTNN_AVX512 inline void each_face_row(Byte* block, size_t row_stride, Fn fn) {
  for (int r = 0; r < 32; ++r) {
    Byte* row = block + static_cast<size_t>(r) * row_stride;
    fn(row, group_index(r, 0));
    fn(row + 16 * HostE, group_index(r, 1));
  }
}

// Lane i of the result: the largest of the 16 lanes of m[i]. A transposed reduction (halving the lanes
// per register while halving the registers) costs about three vector operations per group, where a
// horizontal reduction of each register costs about nine and a chain of dependent shuffles.
TTNN_AVX512 inline __m512i group_maxima(const __m512i (&m)[16]) {
  __m512i w1[8], w2[4], w3[2];
  for (int j = 0; j < 8; ++j) {  // 128-bit lanes 0-1: group 2j's 8 partial maxima, lanes 2-3: group 2j+1's
    w1[j] = _mm512_max_epu32(_mm512_shuffle_i32x4(m[2 * j], m[2 * j + 1], 0x44),
                             _mm512_shuffle_i32x4(m[2 * j], m[2 * j + 1], 0xEE));
  }
  for (int j = 0; j < 4; ++j) {  // 128-bit lane k: group 4j + k's 4 partial maxima
    w2[j] = _mm512_max_epu32(_mm512_shuffle_i32x4(w1[2 * j], w1[2 * j + 1], 0x88),
                             _mm512_shuffle_i32x4(w1[2 * j], w1[2 * j + 1], 0xDD));
  }
  for (int j = 0; j < 2; ++j) {  // lane k: group 8j + k's 2 partial maxima, then group 8j + 4 + k's
    w3[j] = _mm512_max_epu32(_mm512_unpacklo_epi64(w2[2 * j], w2[2 * j + 1]),
                             _mm512_unpackhi_epi64(w2[2 * j], w2[2 * j + 1]));
  }
  // Each pair's maximum in both places, then lane k: groups k, 8 + k, 4 + k, 12 + k; then in group order.
  const __m512i low = _mm512_max_epu32(w3[0], _mm512_shuffle_epi32(w3[0], _MM_PERM_CDAB));
  const __m512i high = _mm512_max_epu32(w3[1], _mm512_shuffle_epi32(w3[1], _MM_PERM_CDAB));
  const __m512i mixed = _mm512_mask_blend_epi32(0xAAAA, low, high);
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 2, 6, 10, 14, 1, 5, 9, 13, 3, 7, 11, 15), mixed);
}

// Eight block rows (r0 .. r0 + 7, both halves) at a time: sixteen groups whose shared exponents come from
// one transposed reduction and are stored as two runs of eight bytes. Lane i is row r0 + i % 8, half i / 8,
// so groups i and i + 8 sit 16 groups apart in the page. A batch with a shared exponent outside the usual
// range (below 8, or 255: Inf and NaN) takes the exact per-group path.
template <bool kBf16Host, int M, bool kStream>
TTNN_AVX512 void bfp_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  constexpr size_t kHalf = 16 * (kBf16Host ? 2 : 4);
  constexpr int kCodeBytes = M == 7 ? 16 : 8;
  uint8_t* codes = page + 64;
  for (int r0 = 0; r0 < 32; r0 += 8) {
    __m512i u[16], magnitude[16];
    for (int i = 0; i < 16; ++i) {
      u[i] = load_group<kBf16Host>(block + static_cast<size_t>(r0 + i % 8) * row_stride + (i / 8) * kHalf);
      magnitude[i] = _mm512_and_si512(u[i], _mm512_set1_epi32(0x7FFFFFFF));
    }
    const int first = group_index(r0, 0);  // groups first .. first + 7, then first + 16 .. first + 23
    const __m512i shared = _mm512_srli_epi32(group_maxima(magnitude), 23);
    const __mmask16 usual = _mm512_cmpge_epu32_mask(shared, _mm512_set1_epi32(8)) &
                            _mm512_cmplt_epu32_mask(shared, _mm512_set1_epi32(255));
    if (usual != 0xFFFF) {
      for (int i = 0; i < 16; ++i) {
        const int g = first + (i / 8) * 16 + i % 8;
        store_codes<M, kStream>(codes + g * kCodeBytes, pack_group<M>(u[i], page + g));
      }
      continue;
    }
    const __m128i exponents = _mm512_cvtepi32_epi8(shared);
    put64<kStream>(page + first, exponents);
    put64<kStream>(page + first + 16, _mm_unpackhi_epi64(exponents, exponents));
    // Per group: 2^(M - 1 + 127 - shared) as a float, as pack_magnitudes_scaled computes it.
    const __m512i scales = _mm512_slli_epi32(_mm512_sub_epi32(_mm512_set1_epi32(M + 253), shared), 23);
    for (int i = 0; i < 16; ++i) {
      const __m512 scale = _mm512_castsi512_ps(_mm512_permutexvar_epi32(_mm512_set1_epi32(i), scales));
      const __mmask16 normal = _mm512_cmpge_epu32_mask(magnitude[i], _mm512_set1_epi32(0x00800000));
      __m512i m = _mm512_maskz_cvt_roundps_epu32(normal, _mm512_mul_ps(_mm512_castsi512_ps(magnitude[i]), scale),
                                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      m = _mm512_min_epu32(m, _mm512_set1_epi32((1 << M) - 1));
      // m | (sign moved to bit M) where m != 0: a zero magnitude drops its sign.
      const __m512i code = _mm512_mask_ternarylogic_epi32(m, _mm512_test_epi32_mask(m, m),
                                                          _mm512_srli_epi32(u[i], 31 - M),
                                                          _mm512_set1_epi32(1 << M), 0xF8);
      store_codes<M, kStream>(codes + (first + (i / 8) * 16 + i % 8) * kCodeBytes, code);
    }
  }
  if constexpr (kStream) _mm_sfence();
}

template <bool kBf16Host, int M>
TTNN_AVX512 void bfp_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  const uint8_t* codes = page + 64;
  each_face_row<kBf16Host ? 2 : 4>(block, row_stride, [&](uint8_t* host, int g) TTNN_AVX512 {
    const __m128i c = M == 7 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + g * 16))
                             : load_nibbles(codes + g * 8);
    store_group<kBf16Host>(host, unpack_group<M>(c, page[g]));
  });
}

// float32 -> bfloat16 with TT-NN's rounding (bfloat16.h): nearest even, every NaN the canonical 0x7FC0.
TTNN_AVX512 inline __m256i round_bf16(__m512i u) {
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF)),
                                               _mm512_set1_epi32(0x7F800000));
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7FFF)), lsb), 16);
  r = _mm512_mask_mov_epi32(r, nan, _mm512_set1_epi32(0x7FC0));
  return _mm512_cvtepi32_epi16(r);
}

TTNN_AVX512 inline __m512i widen_bf16(__m256i h) { return _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16); }

TTNN_AVX512 inline __m256i load256(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
TTNN_AVX512 inline void store256(uint8_t* p, __m256i v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }

// Lanes with their denormals (exponent bits 0, mantissa not 0) made +0.
TTNN_AVX512 inline __m512i flush_denormals32(__m512i v) {
  const __mmask16 denormal = _mm512_testn_epi32_mask(v, _mm512_set1_epi32(0x7F800000)) &
                             _mm512_test_epi32_mask(v, _mm512_set1_epi32(0x007FFFFF));
  return _mm512_maskz_mov_epi32(static_cast<__mmask16>(~denormal), v);
}

TTNN_AVX512 inline __m256i flush_denormals16(__m256i v) {
  const __mmask16 denormal = _mm256_testn_epi16_mask(v, _mm256_set1_epi16(0x7F80)) &
                             _mm256_test_epi16_mask(v, _mm256_set1_epi16(0x007F));
  return _mm256_maskz_mov_epi16(static_cast<__mmask16>(~denormal), v);
}

// Verbatim tiles: a face row is 64 (4-byte elements) or 32 bytes (2-byte elements) on both sides.
// kFlush: denormals made +0 on the way (TileCodec::encode_flushing).
template <bool kStream, bool kFlush = false>
TTNN_AVX512 void copy32_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  if constexpr (kStream) {
    // Out of cache, 32 rows are read at once: ask for the next tile's lines of each (the block to the right).
    for (int r = 0; r < 32; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(block + r * row_stride + 128), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(block + r * row_stride + 192), _MM_HINT_T0);
    }
  }
  each_face_row<4>(block, row_stride, [&](const uint8_t* host, int g) TTNN_AVX512 {
    const __m512i v = _mm512_loadu_si512(host);
    put512<kStream>(page + g * 64, kFlush ? flush_denormals32(v) : v);
  });
  if constexpr (kStream) _mm_sfence();
}

TTNN_AVX512 void copy32_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  each_face_row<4>(block, row_stride, [&](uint8_t* host, int g) TTNN_AVX512 {
    _mm512_storeu_si512(host, _mm512_loadu_si512(page + g * 64));
  });
}

template <bool kStream, bool kFlush = false>
TTNN_AVX512 void copy16_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  each_face_row<2>(block, row_stride, [&](const uint8_t* host, int g) TTNN_AVX512 {
    const __m256i v = load256(host);
    put256<kStream>(page + g * 32, kFlush ? flush_denormals16(v) : v);
  });
  if constexpr (kStream) _mm_sfence();
}

TTNN_AVX512 void copy16_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  each_face_row<2>(block, row_stride, [&](uint8_t* host, int g) TTNN_AVX512 { store256(host, load256(page + g * 32)); });
}

template <bool kStream>
TTNN_AVX512 void bf16_page_encode(const uint8_t* block, size_t row_stride, uint8_t* page) {
  each_face_row<4>(block, row_stride, [&](const uint8_t* host, int g) TTNN_AVX512 {
    put256<kStream>(page + g * 32, round_bf16(_mm512_loadu_si512(host)));
  });
  if constexpr (kStream) _mm_sfence();
}

TTNN_AVX512 void bf16_page_decode(const uint8_t* page, uint8_t* block, size_t row_stride) {
  each_face_row<4>(block, row_stride, [&](uint8_t* host, int g) TTNN_AVX512 {
    _mm512_storeu_si512(host, widen_bf16(load256(page + g * 32)));
  });
}

TTNN_AVX512 void run_bf16_from_f32(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), round_bf16(_mm512_loadu_si512(src + i)));
  }
  if (i < n) {
    const __mmask16 tail = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm256_mask_storeu_epi16(dst + i, tail, round_bf16(_mm512_maskz_loadu_epi32(tail, src + i)));
  }
}

TTNN_AVX512 void run_f32_from_bf16(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_si512(dst + i, widen_bf16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i))));
  }
  if (i < n) {
    const __mmask16 tail = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_epi32(dst + i, tail, widen_bf16(_mm256_maskz_loadu_epi16(tail, src + i)));
  }
}

const TileCodec kAvx512 = {
    "avx512",
    {copy32_encode<false>, copy16_encode<false>, bf16_page_encode<false>, bfp_encode<false, 7, false>,
     bfp_encode<false, 3, false>, bfp_encode<true, 7, false>, bfp_encode<true, 3, false>},
    {copy32_encode<true>, copy16_encode<true>, bf16_page_encode<true>, bfp_encode<false, 7, true>,
     bfp_encode<false, 3, true>, bfp_encode<true, 7, true>, bfp_encode<true, 3, true>},
    {copy32_decode, copy16_decode, bf16_page_decode, bfp_decode<false, 7>, bfp_decode<false, 3>,
     bfp_decode<true, 7>, bfp_decode<true, 3>},
    {copy32_encode<false, true>, copy16_encode<false, true>},
    {copy32_encode<true, true>, copy16_encode<true, true>},
    run_bf16_from_f32,
    run_f32_from_bf16,
};

}  // namespace

const TileCodec* avx512_tile_codec() {
  static const bool supported = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd");
  return supported ? &kAvx512 : nullptr;
}

}  // namespace ttnn_device::runtime::formats

#pragma GCC diagnostic pop

#else  // not x86-64 with GCC/Clang: the portable table only

namespace ttnn_device::runtime::formats {
const TileCodec* avx512_tile_codec() { return nullptr; }
}  // namespace ttnn_device::runtime::formats

#endif
