// The instruction-set kernels of format conversion give exactly the bytes of the portable reference
// kernels (whose rules the golden tests pin to the real ttnn), on random values mixed with every special
// case the rules name: zeros of both signs, float32 denormals, Inf, NaN, values at the float32 maximum,
// rounding ties, tiny shared exponents; and on random page bytes for decoding (every code, every exponent).
// Usage: test_tile_codec   (reports and passes trivially on CPUs with neither AVX2 nor AVX-512)

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "runtime/formats/tile_codec.h"

namespace fmt = ttnn_device::runtime::formats;
using fmt::TileKind;

namespace {

constexpr size_t kRowStride = 48 * 4;  // wider than a tile, so row strides are exercised
constexpr int kRounds = 200;

struct KindInfo {
  TileKind kind;
  const char* name;
  size_t host_bytes;  // per element
  size_t page_bytes;
};

const KindInfo kKinds[] = {
    {TileKind::kCopy32, "copy32", 4, 4096},    {TileKind::kCopy16, "copy16", 2, 2048},
    {TileKind::kF32Bf16, "f32->bf16", 4, 2048}, {TileKind::kF32Bfp8, "f32->bfp8", 4, 1088},
    {TileKind::kF32Bfp4, "f32->bfp4", 4, 576},  {TileKind::kBf16Bfp8, "bf16->bfp8", 2, 1088},
    {TileKind::kBf16Bfp4, "bf16->bfp4", 2, 576},
};

// A float32 bit pattern: mostly normal values around one scale per group of 16, sometimes a special.
uint32_t random_bits(std::mt19937& rng, uint32_t group_exponent) {
  const uint32_t r = rng();
  switch (r % 16) {
    case 0: return (r & 0x80000000u);                                     // +-0
    case 1: return (r & 0x80000000u) | (rng() & 0x7FFFFFu);               // denormal
    case 2: return (r & 0x80000000u) | 0x7F800000u;                       // +-Inf
    case 3: return 0x7F800000u | (rng() & 0x7FFFFFu) | 1u;                // NaN
    case 4: return (r & 0x80000000u) | 0x7F7FFFFFu;                       // float32 maximum
    case 5: return (r & 0x80000000u) | ((r >> 8) & 0x7F800000u) | 0x400000u;  // ties at many exponents
    default: {
      const uint32_t spread = (r >> 4) % 12;                               // within 2^-11 of the group's scale
      const uint32_t e = group_exponent > spread ? group_exponent - spread : 1;
      return (r & 0x80000000u) | (e << 23) | (rng() & 0x7FFFFFu);
    }
  }
}

std::vector<uint8_t> random_host_block(std::mt19937& rng, size_t host_bytes) {
  std::vector<uint8_t> block(32 * kRowStride);
  for (int r = 0; r < 32; ++r) {
    for (int g = 0; g < 3; ++g) {  // 48 columns: 3 groups of 16
      // Shared exponents from the tiniest (1, 2, ...) to the largest finite ones.
      const uint32_t scale = (rng() % 4 == 0) ? 1 + rng() % 10 : 1 + rng() % 254;
      for (int c = g * 16; c < g * 16 + 16; ++c) {
        const uint32_t bits = random_bits(rng, scale);
        uint8_t* at = block.data() + r * kRowStride + c * host_bytes;
        if (host_bytes == 4) {
          std::memcpy(at, &bits, 4);
        } else {
          const uint16_t half = static_cast<uint16_t>(bits >> 16);
          std::memcpy(at, &half, 2);
        }
      }
    }
  }
  return block;
}

bool same(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, const std::string& what) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      return check::record(false, __FILE__, __LINE__, what + ": first difference at byte " + std::to_string(i));
    }
  }
  return check::record(true, __FILE__, __LINE__, what);
}

// Every instruction-set table this CPU runs (none on a CPU with neither AVX2 nor AVX-512).
std::vector<const fmt::TileCodec*> fast_tables() {
  std::vector<const fmt::TileCodec*> tables;
  for (const fmt::TileCodec* codec : {fmt::avx512_tile_codec(), fmt::avx2_tile_codec()}) {
    if (codec) tables.push_back(codec);
  }
  if (tables.empty()) std::printf("neither AVX-512 nor AVX2 on this CPU: only the portable kernels exist\n");
  return tables;
}

}  // namespace

TEST(tile_encode_matches_portable) {
  for (const fmt::TileCodec* codec : fast_tables()) {
    const fmt::TileCodec& ref = fmt::portable_tile_codec();
    std::mt19937 rng(7);
    for (const KindInfo& k : kKinds) {
      bool ok = true;
      for (int round = 0; round < kRounds && ok; ++round) {
        const auto block = random_host_block(rng, k.host_bytes);
        std::vector<uint8_t> want(k.page_bytes, 0xAB), got(k.page_bytes, 0xCD);
        ref.encode[static_cast<int>(k.kind)](block.data(), kRowStride, want.data());
        codec->encode[static_cast<int>(k.kind)](block.data(), kRowStride, got.data());
        ok = same(got, want, std::string(codec->name) + " encode " + k.name + " round " + std::to_string(round));
      }
    }
  }
}

TEST(streaming_encode_matches_plain) {
  std::vector<const fmt::TileCodec*> tables = fast_tables();
  tables.push_back(&fmt::portable_tile_codec());
  for (const fmt::TileCodec* codec : tables) {
    std::mt19937 rng(13);
    for (const KindInfo& k : kKinds) {
      const auto block = random_host_block(rng, k.host_bytes);
      // Non-temporal stores need 64-byte aligned pages, as the conversions give them.
      alignas(64) static uint8_t want[4096], got[4096];
      std::memset(want, 0xAB, sizeof want);
      std::memset(got, 0xCD, sizeof got);
      codec->encode[static_cast<int>(k.kind)](block.data(), kRowStride, want);
      codec->encode_streaming[static_cast<int>(k.kind)](block.data(), kRowStride, got);
      same(std::vector<uint8_t>(got, got + k.page_bytes), std::vector<uint8_t>(want, want + k.page_bytes),
           std::string(codec->name) + " streaming encode " + k.name);
    }
  }
}

// The plain page with each denormal element (exponent bits 0, mantissa not 0) made +0: what a flushing
// encoder must give, derived here from the plain encoder and the rule, element by element.
std::vector<uint8_t> flushed_page(const fmt::TileCodec& codec, const KindInfo& k, const std::vector<uint8_t>& block) {
  std::vector<uint8_t> page(k.page_bytes);
  codec.encode[static_cast<int>(k.kind)](block.data(), kRowStride, page.data());
  for (size_t at = 0; at < page.size(); at += k.host_bytes) {
    uint32_t bits = 0;
    std::memcpy(&bits, page.data() + at, k.host_bytes);
    const uint32_t exponent = k.host_bytes == 4 ? 0x7F800000u : 0x7F80u, mantissa = k.host_bytes == 4 ? 0x7FFFFFu : 0x7Fu;
    if ((bits & exponent) == 0 && (bits & mantissa) != 0) std::memset(page.data() + at, 0, k.host_bytes);
  }
  return page;
}

TEST(flushing_encode_flushes_denormals_only) {
  const KindInfo flushing[] = {kKinds[0], kKinds[1]};  // FLOAT32 and BFLOAT16 pages, by FlushKind
  std::vector<const fmt::TileCodec*> tables = fast_tables();
  tables.push_back(&fmt::portable_tile_codec());
  for (const fmt::TileCodec* codec : tables) {
    std::mt19937 rng(29);
    for (int f = 0; f < 2; ++f) {
      const KindInfo& k = flushing[f];
      bool ok = true;
      int denormals_seen = 0;
      for (int round = 0; round < kRounds && ok; ++round) {
        const auto block = random_host_block(rng, k.host_bytes);
        const std::vector<uint8_t> want = flushed_page(fmt::portable_tile_codec(), k, block);
        std::vector<uint8_t> plain(k.page_bytes);
        codec->encode[static_cast<int>(k.kind)](block.data(), kRowStride, plain.data());
        denormals_seen += plain != want;
        alignas(64) static uint8_t got[4096], streamed[4096];
        std::memset(got, 0xCD, sizeof got);
        std::memset(streamed, 0xEF, sizeof streamed);
        codec->encode_flushing[f](block.data(), kRowStride, got);
        codec->encode_flushing_streaming[f](block.data(), kRowStride, streamed);
        const std::string what = std::string(codec->name) + " flushing encode " + k.name + " round " + std::to_string(round);
        ok = same(std::vector<uint8_t>(got, got + k.page_bytes), want, what) &&
             same(std::vector<uint8_t>(streamed, streamed + k.page_bytes), want, what + " (streaming)");
      }
      // The random blocks hold denormals, so the flush had something to do.
      CHECK(denormals_seen > kRounds / 2);
    }
  }
}

TEST(tile_decode_matches_portable) {
  for (const fmt::TileCodec* codec : fast_tables()) {
    const fmt::TileCodec& ref = fmt::portable_tile_codec();
    std::mt19937 rng(11);
    for (const KindInfo& k : kKinds) {
      bool ok = true;
      for (int round = 0; round < kRounds && ok; ++round) {
        // Any page bytes: every code and every shared exponent (0 and 0xFF included) must decode alike.
        std::vector<uint8_t> page(k.page_bytes);
        for (auto& b : page) b = static_cast<uint8_t>(rng());
        // Host bytes outside the tile's 32 columns must stay untouched by both.
        std::vector<uint8_t> want(32 * kRowStride, 0xEE), got(32 * kRowStride, 0xEE);
        ref.decode[static_cast<int>(k.kind)](page.data(), want.data(), kRowStride);
        codec->decode[static_cast<int>(k.kind)](page.data(), got.data(), kRowStride);
        ok = same(got, want, std::string(codec->name) + " decode " + k.name + " round " + std::to_string(round));
      }
    }
  }
}

TEST(row_conversions_match_portable) {
  for (const fmt::TileCodec* codec : fast_tables()) {
    const fmt::TileCodec& ref = fmt::portable_tile_codec();
    std::mt19937 rng(13);
    for (int64_t n : {0, 1, 15, 16, 17, 1000, 4099}) {
      std::vector<uint32_t> bits(n);
      for (auto& b : bits) b = random_bits(rng, 1 + rng() % 254);
      std::vector<float> floats(n);
      if (n) std::memcpy(floats.data(), bits.data(), n * 4);
      std::vector<uint16_t> want(n + 1, 0xABCD), got(n + 1, 0xABCD);  // one guard element past the end
      ref.bf16_from_f32(floats.data(), want.data(), n);
      codec->bf16_from_f32(floats.data(), got.data(), n);
      CHECK_EQ(got, want);
      std::vector<float> back_want(n + 1, 7.0f), back_got(n + 1, 7.0f);
      ref.f32_from_bf16(got.data(), back_want.data(), n);
      codec->f32_from_bf16(got.data(), back_got.data(), n);
      CHECK(std::memcmp(back_got.data(), back_want.data(), (n + 1) * 4) == 0);
    }
  }
}

int main() { return check::run_all(); }
