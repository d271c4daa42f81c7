// Physical formats of the reference device: byte-exact against goldens from the real ttnn 0.81.1
// (tests/golden, made by make_golden.py), plus TT-NN's documented format facts and round trips.
// Usage: test_formats [golden_dir]   (default: the source tree's tests/golden)

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.h"
#include "json_lite.h"
#include "runtime/data_type.h"
#include "runtime/formats/bfloat16.h"
#include "runtime/formats/block_float.h"
#include "runtime/formats/tilize.h"
#include "runtime/tensor_desc.h"

using namespace ttnn_device::runtime;
namespace fmt = ttnn_device::runtime::formats;

namespace {

std::string g_golden_dir = TTNN_GOLDEN_DIR;

using Bytes = std::vector<uint8_t>;

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TensorDesc desc(Shape shape, Layout layout, DataType data_type, DataType host_type) {
  TensorDesc d;
  d.shape = std::move(shape);
  d.layout = layout;
  d.data_type = data_type;
  d.host_type = host_type;
  return d;
}

template <typename T>
Bytes as_bytes(const std::vector<T>& v) {
  Bytes b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

Bytes encode_bytes(const TensorDesc& d, const void* logical) {
  Bytes out(d.physical_bytes(), 0xAB);  // poison: padding must be written, not inherited
  encode(d, logical, out.data());
  return out;
}

Bytes decode_bytes(const TensorDesc& d, const Bytes& physical) {
  Bytes out(d.logical_bytes(), 0xCD);
  decode(d, physical.data(), out.data());
  return out;
}

// Reports the first differing byte, which for tile data usually names the broken rule at once.
bool same_bytes(const Bytes& got, const Bytes& want, const std::string& what) {
  if (got.size() != want.size()) {
    return check::record(false, __FILE__, __LINE__,
                         what + ": size " + std::to_string(got.size()) + " != " + std::to_string(want.size()));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i]) {
      std::ostringstream os;
      os << what << ": first difference at byte " << i << " (got " << int(got[i]) << ", want " << int(want[i]) << ")";
      return check::record(false, __FILE__, __LINE__, os.str());
    }
  }
  return check::record(true, __FILE__, __LINE__, what);
}

float bf(float x) { return fmt::bf16_bits_to_float(fmt::float_to_bf16_bits(x)); }
uint32_t bits(float f) { return fmt::float_bits(f); }

// Encodes then decodes float32 values in the given block float (TILE, shape [1, n]).
std::vector<float> bfp_round_trip(DataType type, const std::vector<float>& values, Bytes* page = nullptr) {
  const TensorDesc d = desc({1, static_cast<int64_t>(values.size())}, Layout::TILE, type, DataType::FLOAT32);
  Bytes physical = encode_bytes(d, values.data());
  std::vector<float> back(values.size());
  decode(d, physical.data(), back.data());
  if (page) *page = physical;
  return back;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Goldens from ttnn

TEST(golden_vectors_match_ttnn) {
  const Bytes text = read_file(g_golden_dir + "/manifest.json");
  const json_lite::Value manifest = json_lite::parse(std::string(text.begin(), text.end()));
  const auto& cases = manifest["cases"].items;
  CHECK(cases.size() >= 50);
  for (const auto& c : cases) {
    const std::string name = c["name"].text;
    TensorDesc d;
    for (const auto& dim : c["shape"].items) d.shape.push_back(dim.as_int());
    d.layout = parse_layout(c["layout"].text);
    d.data_type = parse_data_type(c["data_type"].text);
    d.host_type = parse_data_type(c["host_type"].text);
    const std::string dir = g_golden_dir + "/data/";
    const Bytes physical = read_file(dir + c["physical"].text);
    CHECK_EQ(d.physical_bytes(), physical.size());
    if (!c["logical"].is_null()) {
      const Bytes logical = read_file(dir + c["logical"].text);
      CHECK_EQ(d.logical_bytes(), logical.size());
      same_bytes(encode_bytes(d, logical.data()), physical, name + " encode");
      if (c["decoded"].is_null()) same_bytes(decode_bytes(d, physical), logical, name + " decode");
    }
    if (!c["decoded"].is_null()) {
      same_bytes(decode_bytes(d, physical), read_file(dir + c["decoded"].text), name + " decode");
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Names, sizes and shapes of TT-NN's data types and tiles

TEST(data_type_names_parse_and_print) {
  for (DataType t : {DataType::BFLOAT16, DataType::FLOAT32, DataType::INT32, DataType::UINT32, DataType::UINT16,
                     DataType::UINT8, DataType::BFLOAT8_B, DataType::BFLOAT4_B, DataType::RAW}) {
    CHECK(parse_data_type(to_string(t)) == t);
  }
  CHECK(parse_data_type("bfloat8_b") == DataType::BFLOAT8_B);
  CHECK(parse_data_type("DataType.UINT16") == DataType::UINT16);
  CHECK(parse_layout("tile") == Layout::TILE);
  CHECK(parse_layout("ROW_MAJOR_LAYOUT") == Layout::ROW_MAJOR);
  CHECK_EQ(std::string(to_string(Layout::TILE)), std::string("TILE"));
  CHECK_THROWS(std::invalid_argument, parse_data_type("float64"));
  CHECK_THROWS(std::invalid_argument, parse_layout("COL_MAJOR"));
}

TEST(element_sizes) {
  CHECK_EQ(element_size(DataType::BFLOAT16), 2u);
  CHECK_EQ(element_size(DataType::UINT16), 2u);
  CHECK_EQ(element_size(DataType::FLOAT32), 4u);
  CHECK_EQ(element_size(DataType::INT32), 4u);
  CHECK_EQ(element_size(DataType::UINT32), 4u);
  CHECK_EQ(element_size(DataType::UINT8), 1u);
  CHECK_THROWS(std::invalid_argument, element_size(DataType::BFLOAT8_B));
  CHECK_THROWS(std::invalid_argument, element_size(DataType::BFLOAT4_B));
  CHECK_THROWS(std::invalid_argument, element_size(DataType::RAW));
  CHECK(is_block_float(DataType::BFLOAT8_B) && is_block_float(DataType::BFLOAT4_B));
  CHECK(!is_block_float(DataType::BFLOAT16) && !is_block_float(DataType::RAW));
}

TEST(padded_shapes_follow_ttnn) {
  auto tile = [](Shape s) { return desc(std::move(s), Layout::TILE, DataType::FLOAT32, DataType::FLOAT32).padded_shape(); };
  auto rm = [](Shape s) { return desc(std::move(s), Layout::ROW_MAJOR, DataType::FLOAT32, DataType::FLOAT32).padded_shape(); };
  CHECK(tile({}) == (Shape{32, 32}));
  CHECK(tile({5}) == (Shape{32, 32}));
  CHECK(tile({64}) == (Shape{32, 64}));
  CHECK(tile({3, 5}) == (Shape{32, 32}));
  CHECK(tile({2, 33, 40}) == (Shape{2, 64, 64}));
  CHECK(tile({0, 5}) == (Shape{0, 32}));
  CHECK(tile({3, 0}) == (Shape{32, 0}));
  CHECK(tile({0}) == (Shape{32, 0}));
  CHECK(tile({2, 0, 40}) == (Shape{2, 0, 64}));
  CHECK(tile({1, 64, 96}) == (Shape{1, 64, 96}));
  CHECK(rm({}) == (Shape{1}));
  CHECK(rm({3, 5}) == (Shape{3, 5}));
  CHECK(rm({0, 5}) == (Shape{0, 5}));
}

TEST(page_sizes_and_counts) {
  CHECK_EQ(desc({3, 5}, Layout::TILE, DataType::BFLOAT16, DataType::BFLOAT16).page_bytes(), 2048u);
  CHECK_EQ(desc({3, 5}, Layout::TILE, DataType::UINT16, DataType::UINT16).page_bytes(), 2048u);
  CHECK_EQ(desc({3, 5}, Layout::TILE, DataType::FLOAT32, DataType::FLOAT32).page_bytes(), 4096u);
  CHECK_EQ(desc({3, 5}, Layout::TILE, DataType::INT32, DataType::INT32).page_bytes(), 4096u);
  CHECK_EQ(desc({3, 5}, Layout::TILE, DataType::UINT8, DataType::UINT8).page_bytes(), 1024u);
  CHECK_EQ(desc({3, 5}, Layout::TILE, DataType::BFLOAT8_B, DataType::FLOAT32).page_bytes(), 1088u);
  CHECK_EQ(desc({3, 5}, Layout::TILE, DataType::BFLOAT4_B, DataType::FLOAT32).page_bytes(), 576u);

  const TensorDesc big = desc({2, 33, 40}, Layout::TILE, DataType::BFLOAT8_B, DataType::FLOAT32);
  CHECK_EQ(big.num_pages(), 8);
  CHECK_EQ(big.physical_bytes(), 8u * 1088u);
  CHECK_EQ(big.logical_bytes(), 2u * 33u * 40u * 4u);
  CHECK_EQ(desc({}, Layout::TILE, DataType::FLOAT32, DataType::FLOAT32).num_pages(), 1);
  CHECK_EQ(desc({0, 5}, Layout::TILE, DataType::FLOAT32, DataType::FLOAT32).physical_bytes(), 0u);

  // ROW_MAJOR: one page per row of the last dim.
  const TensorDesc rows = desc({2, 3, 5}, Layout::ROW_MAJOR, DataType::BFLOAT16, DataType::FLOAT32);
  CHECK_EQ(rows.page_bytes(), 10u);
  CHECK_EQ(rows.num_pages(), 6);
  CHECK_EQ(rows.physical_bytes(), 60u);
  CHECK_EQ(rows.logical_bytes(), 120u);
  const TensorDesc scalar = desc({}, Layout::ROW_MAJOR, DataType::INT32, DataType::INT32);
  CHECK_EQ(scalar.numel(), 1);
  CHECK_EQ(scalar.num_pages(), 1);
  CHECK_EQ(scalar.physical_bytes(), 4u);
  TensorDesc raw = desc({3, 2}, Layout::ROW_MAJOR, DataType::RAW, DataType::RAW);
  raw.raw_element_size = 16;  // complex128
  CHECK_EQ(raw.page_bytes(), 32u);
  CHECK_EQ(raw.physical_bytes(), 96u);
}

TEST(validate_rejects_what_ttnn_rejects) {
  CHECK_THROWS(std::invalid_argument, desc({32, 32}, Layout::ROW_MAJOR, DataType::BFLOAT8_B, DataType::FLOAT32).validate());
  CHECK_THROWS(std::invalid_argument, desc({32, 32}, Layout::ROW_MAJOR, DataType::BFLOAT4_B, DataType::BFLOAT16).validate());
  CHECK_THROWS(std::invalid_argument, desc({32, 32}, Layout::TILE, DataType::RAW, DataType::RAW).validate());
  CHECK_THROWS(std::invalid_argument, desc({32, 32}, Layout::TILE, DataType::BFLOAT16, DataType::INT32).validate());
  CHECK_THROWS(std::invalid_argument, desc({32, 32}, Layout::TILE, DataType::FLOAT32, DataType::BFLOAT16).validate());
  CHECK_THROWS(std::invalid_argument, desc({32, 32}, Layout::TILE, DataType::BFLOAT8_B, DataType::INT32).validate());
  CHECK_THROWS(std::invalid_argument, desc({32, 32}, Layout::TILE, DataType::BFLOAT8_B, DataType::BFLOAT8_B).validate());
  CHECK_THROWS(std::invalid_argument, desc({4}, Layout::ROW_MAJOR, DataType::RAW, DataType::FLOAT32).validate());
  CHECK_THROWS(std::invalid_argument, desc({-1, 4}, Layout::TILE, DataType::FLOAT32, DataType::FLOAT32).validate());
  TensorDesc raw0 = desc({4}, Layout::ROW_MAJOR, DataType::RAW, DataType::RAW);
  raw0.raw_element_size = 0;
  CHECK_THROWS(std::invalid_argument, raw0.validate());
  desc({5}, Layout::ROW_MAJOR, DataType::BFLOAT16, DataType::FLOAT32).validate();
  desc({5}, Layout::TILE, DataType::BFLOAT4_B, DataType::BFLOAT16).validate();
  desc({5}, Layout::TILE, DataType::UINT8, DataType::UINT8).validate();
  CHECK(true);
}

// ---------------------------------------------------------------------------------------------------------
// Tilize (§1.3)

TEST(tilize_uses_face_order) {
  std::vector<uint32_t> matrix(32 * 32);
  for (uint32_t i = 0; i < matrix.size(); ++i) matrix[i] = i;
  std::vector<uint32_t> tiled(1024);
  fmt::tilize(matrix.data(), fmt::TileGrid{1, 32, 32}, 4, tiled.data());
  int wrong = 0;
  for (int r = 0; r < 32; ++r) {
    for (int c = 0; c < 32; ++c) {
      const int idx = ((r / 16) * 2 + (c / 16)) * 256 + (r % 16) * 16 + (c % 16);
      wrong += tiled[idx] != static_cast<uint32_t>(r * 32 + c);
    }
  }
  CHECK_EQ(wrong, 0);
}

TEST(tilize_round_trips_any_element_size) {
  std::mt19937 rng(7);
  for (size_t es : {1u, 2u, 3u, 4u, 8u, 16u}) {
    const fmt::TileGrid grid{3, 45, 70};
    Bytes src(static_cast<size_t>(grid.slices * grid.height * grid.width) * es);
    for (auto& b : src) b = static_cast<uint8_t>(rng());
    Bytes tiled(static_cast<size_t>(grid.num_tiles()) * 1024 * es, 0xEE);
    fmt::tilize(src.data(), grid, es, tiled.data());
    Bytes back(src.size(), 0);
    fmt::untilize(tiled.data(), grid, es, back.data());
    CHECK(back == src);
    // Second tile of the second slice, element (r=5, c=20) of the tensor's slice coordinates (5, 52).
    const size_t tile = 1 * 2 * 3 + 1;  // slice 1, tile row 0, tile col 1 (grid is 2 x 3 tiles)
    const size_t idx = ((5 / 16) * 2 + (20 / 16)) * 256 + (5 % 16) * 16 + (20 % 16);
    CHECK(std::memcmp(&tiled[(tile * 1024 + idx) * es], &src[((1 * 45 + 5) * 70 + 52) * es], es) == 0);
    // Padding (row 45.., col 70..) is zero.
    const size_t last_tile = static_cast<size_t>(grid.num_tiles()) - 1;
    const size_t pad_idx = ((31 / 16) * 2 + (31 / 16)) * 256 + (31 % 16) * 16 + (31 % 16);
    CHECK(std::all_of(&tiled[(last_tile * 1024 + pad_idx) * es], &tiled[(last_tile * 1024 + pad_idx + 1) * es],
                      [](uint8_t b) { return b == 0; }));
  }
}

// ---------------------------------------------------------------------------------------------------------
// FLOAT32 -> BFLOAT16 (§2.3)

TEST(bfloat16_host_rounding) {
  CHECK_EQ(fmt::float_to_bf16_bits(1.0f), 0x3F80);
  CHECK_EQ(fmt::float_to_bf16_bits(1.00390625f), 0x3F80);  // tie -> even (down)
  CHECK_EQ(fmt::float_to_bf16_bits(1.01171875f), 0x3F82);  // tie -> even (up)
  CHECK_EQ(fmt::float_to_bf16_bits(std::nextafter(1.00390625f, 2.0f)), 0x3F81);  // sticky
  CHECK_EQ(fmt::float_to_bf16_bits(-0.0f), 0x8000);
  CHECK_EQ(fmt::float_to_bf16_bits(1e-40f), 0x0001);  // denormal kept
  CHECK_EQ(fmt::float_to_bf16_bits(-1e-40f), 0x8001);
  CHECK_EQ(fmt::float_to_bf16_bits(3.4028235e38f), 0x7F80);  // rounds past the max -> Inf
  CHECK_EQ(fmt::float_to_bf16_bits(-std::numeric_limits<float>::infinity()), 0xFF80);
  CHECK_EQ(fmt::float_to_bf16_bits(std::numeric_limits<float>::quiet_NaN()), 0x7FC0);
  CHECK_EQ(fmt::float_to_bf16_bits(fmt::bits_float(0xFFC00001u)), 0x7FC0);  // sign and payload dropped
  CHECK_EQ(fmt::float_to_bf16_bits(fmt::bits_float(0x7F800001u)), 0x7FC0);  // signalling NaN stays NaN
  CHECK_EQ(fmt::bf16_bits_to_float(0xC0490000 >> 16), -3.140625f);
}

TEST(float32_to_bfloat16_tensor_round_trip) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 100.0f);
  for (Layout layout : {Layout::ROW_MAJOR, Layout::TILE}) {
    const TensorDesc d = desc({3, 37, 50}, layout, DataType::BFLOAT16, DataType::FLOAT32);
    std::vector<float> x(static_cast<size_t>(d.numel()));
    for (auto& v : x) v = normal(rng);
    const Bytes physical = encode_bytes(d, x.data());
    std::vector<float> back(x.size());
    decode(d, physical.data(), back.data());
    int wrong = 0;
    for (size_t i = 0; i < x.size(); ++i) wrong += bits(back[i]) != bits(bf(x[i]));
    CHECK_EQ(wrong, 0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Block floats (§2.2)

TEST(bfp8_spec_values) {
  CHECK_EQ(bfp_round_trip(DataType::BFLOAT8_B, {1.999f})[0], 1.984375f);  // saturates, exponent not bumped
  CHECK_EQ(bfp_round_trip(DataType::BFLOAT8_B, {1.3f, 1.3f, 1.3f, 1.3f, 1.3f})[4], 1.296875f);  // [1,5] pad 0
  const float step = 1.0f / 64;
  const auto ties = bfp_round_trip(DataType::BFLOAT8_B, {1 + 0.5f * step, 1 + 1.5f * step, 1 + 2.5f * step, 1 + 3.5f * step});
  CHECK_EQ(ties[0], 1.0f);
  CHECK_EQ(ties[1], 1 + 2 * step);
  CHECK_EQ(ties[2], 1 + 2 * step);
  CHECK_EQ(ties[3], 1 + 4 * step);
  // Sticky bits: a hair above the tie rounds up.
  CHECK_EQ(bfp_round_trip(DataType::BFLOAT8_B, {1.0f + 0.5f * step + 1e-6f})[0], 1 + step);
  // The shared exponent comes from the largest element: small neighbours lose precision or vanish.
  const auto shared = bfp_round_trip(DataType::BFLOAT8_B, {100.0f, 1.3f, 1e-3f});
  CHECK_EQ(shared[0], 100.0f);
  CHECK_EQ(shared[1], 1.0f);
  CHECK_EQ(shared[2], 0.0f);
}

TEST(bfp4_spec_values) {
  CHECK_EQ(bfp_round_trip(DataType::BFLOAT4_B, {1.9f})[0], 1.75f);
  CHECK_EQ(bfp_round_trip(DataType::BFLOAT4_B, {1.1328f})[0], 1.25f);  // from fp32 directly, not via bf16/bfp8
  CHECK_EQ(bfp_round_trip(DataType::BFLOAT4_B, {1.125f})[0], 1.0f);    // tie -> even
  CHECK_EQ(bfp_round_trip(DataType::BFLOAT4_B, {1.375f})[0], 1.5f);    // tie -> even
  CHECK_EQ(bfp_round_trip(DataType::BFLOAT4_B, {-1.3f, 1.3f})[0], -1.25f);
}

TEST(bfp_zero_sign_denormals_and_specials) {
  Bytes page;
  const auto z = bfp_round_trip(DataType::BFLOAT8_B, {-0.0f, 1.0f, -1e-5f, 1e-40f}, &page);
  CHECK_EQ(bits(z[0]), 0u);  // -0.0 -> +0
  CHECK_EQ(bits(z[2]), 0u);  // rounds to zero -> +0
  CHECK_EQ(bits(z[3]), 0u);  // denormal -> 0
  CHECK_EQ(page[0], 127);
  CHECK_EQ(page[64 + 0], 0);
  CHECK_EQ(page[64 + 1], 0x40);

  bfp_round_trip(DataType::BFLOAT8_B, {1e-40f, -3e-39f}, &page);
  CHECK_EQ(page[0], 0);  // only denormals: E = 0, all zero
  CHECK_EQ(page[64], 0);
  CHECK_EQ(page[65], 0);

  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const auto s = bfp_round_trip(DataType::BFLOAT8_B, {inf, -inf, nan, 3e38f, -1.0f}, &page);
  CHECK_EQ(page[0], 0xFF);
  CHECK_EQ(page[64 + 0], 0x40);
  CHECK_EQ(page[64 + 1], 0xC0);
  CHECK_EQ(page[64 + 2], 0x60);
  // Not zeroed, contrary to what one might expect from the format's description: ttnn packs finite neighbours against E = 0xFF like any
  // group, so 3e38 = 1.76 * 2^127 keeps 56/64 * 2^128 (golden tile_float32_to_bfloat8_b_edges_32x32).
  CHECK_EQ(page[64 + 3], 0x38);
  CHECK_EQ(page[64 + 4], 0);
  CHECK(std::isinf(s[0]) && s[0] > 0);
  CHECK(std::isinf(s[1]) && s[1] < 0);
  CHECK(std::isnan(s[2]));
  CHECK_EQ(s[3], std::ldexp(56.0f, 122));  // 56/64 * 2^(255-127)
  CHECK_EQ(s[4], 0.0f);

  const auto s4 = bfp_round_trip(DataType::BFLOAT4_B, {inf, -inf, nan, 2.0f}, &page);
  CHECK_EQ(page[0], 0xFF);
  CHECK_EQ(page[64 + 0], 0xC4);  // element 0 in the low nibble, element 1 in the high nibble
  CHECK_EQ(page[64 + 1], 0x06);
  CHECK(std::isinf(s4[0]) && std::isnan(s4[2]) && s4[3] == 0.0f);
}

TEST(bfp_padding_joins_groups_as_zero) {
  // [3, 5]: each group holds 5 values and 11 zeros of padding; padding never raises the exponent and
  // decodes nowhere.
  const TensorDesc d = desc({3, 5}, Layout::TILE, DataType::BFLOAT8_B, DataType::FLOAT32);
  std::vector<float> x(15, 0.1f);
  const Bytes page = encode_bytes(d, x.data());
  CHECK_EQ(page.size(), 1088u);
  CHECK_EQ(page[0], 123);  // 0.1 = 1.6 * 2^-4
  CHECK_EQ(page[3], 0);    // group 3 is all padding
  CHECK_EQ(page[64 + 5], 0);
  std::vector<float> back(15);
  decode(d, page.data(), back.data());
  CHECK_EQ(back[14], 0.099609375f);
}

TEST(bfp_re_encoding_is_idempotent) {
  // Decoded values are exactly representable, so packing them again must reproduce the same page bytes.
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> binade(-40, 40);
  for (DataType type : {DataType::BFLOAT8_B, DataType::BFLOAT4_B}) {
    const TensorDesc d = desc({2, 40, 70}, Layout::TILE, type, DataType::FLOAT32);
    std::vector<float> x(static_cast<size_t>(d.numel()));
    for (auto& v : x) v = std::ldexp(normal(rng), binade(rng));
    const Bytes first = encode_bytes(d, x.data());
    std::vector<float> back(x.size());
    decode(d, first.data(), back.data());
    CHECK(encode_bytes(d, back.data()) == first);
  }
}

TEST(bfp_from_bfloat16_host_equals_from_float32) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 10.0f);
  for (DataType type : {DataType::BFLOAT8_B, DataType::BFLOAT4_B}) {
    const Shape shape{3, 33, 17};
    const TensorDesc from_f32 = desc(shape, Layout::TILE, type, DataType::FLOAT32);
    const TensorDesc from_bf16 = desc(shape, Layout::TILE, type, DataType::BFLOAT16);
    std::vector<uint16_t> h(static_cast<size_t>(from_f32.numel()));
    std::vector<float> f(h.size());
    for (size_t i = 0; i < h.size(); ++i) {
      h[i] = fmt::float_to_bf16_bits(normal(rng));
      f[i] = fmt::bf16_bits_to_float(h[i]);
    }
    const Bytes page = encode_bytes(from_bf16, h.data());
    CHECK(page == encode_bytes(from_f32, f.data()));
    std::vector<float> back_f(f.size());
    std::vector<uint16_t> back_h(h.size());
    decode(from_f32, page.data(), back_f.data());
    decode(from_bf16, page.data(), back_h.data());
    int wrong = 0;
    for (size_t i = 0; i < h.size(); ++i) wrong += (static_cast<uint32_t>(back_h[i]) << 16) != bits(back_f[i]);
    CHECK_EQ(wrong, 0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Lossless round trips, zero sizes and RAW

TEST(lossless_round_trips) {
  std::mt19937 rng(13);
  const std::vector<Shape> shapes{{}, {1}, {7}, {31, 33}, {2, 3, 32, 32}, {2, 1, 65}};
  for (DataType type : {DataType::FLOAT32, DataType::BFLOAT16, DataType::INT32, DataType::UINT32, DataType::UINT16,
                        DataType::UINT8}) {
    for (Layout layout : {Layout::ROW_MAJOR, Layout::TILE}) {
      for (const Shape& shape : shapes) {
        const TensorDesc d = desc(shape, layout, type, type);
        Bytes x(d.logical_bytes());
        for (auto& b : x) b = static_cast<uint8_t>(rng());
        const Bytes physical = encode_bytes(d, x.data());
        CHECK_EQ(physical.size(), d.physical_bytes());
        CHECK(decode_bytes(d, physical) == x);
      }
    }
  }
  TensorDesc raw = desc({3, 5}, Layout::ROW_MAJOR, DataType::RAW, DataType::RAW);
  raw.raw_element_size = 8;  // float64 / int64
  std::vector<double> v{1.0, -0.0, std::numeric_limits<double>::quiet_NaN(), 1e300, 5e-324, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const Bytes physical = encode_bytes(raw, v.data());
  CHECK(physical == as_bytes(v));
  CHECK(decode_bytes(raw, physical) == as_bytes(v));
}

TEST(zero_size_tensors) {
  for (const Shape& shape : {Shape{0}, Shape{0, 5}, Shape{3, 0}, Shape{2, 0, 40}}) {
    for (DataType type : {DataType::FLOAT32, DataType::BFLOAT8_B, DataType::BFLOAT4_B}) {
      const TensorDesc d = desc(shape, Layout::TILE, type, DataType::FLOAT32);
      CHECK_EQ(d.physical_bytes(), 0u);
      CHECK_EQ(d.logical_bytes(), 0u);
      encode(d, nullptr, nullptr);
      decode(d, nullptr, nullptr);
    }
    const TensorDesc rm = desc(shape, Layout::ROW_MAJOR, DataType::BFLOAT16, DataType::FLOAT32);
    CHECK_EQ(rm.physical_bytes(), 0u);
    encode(rm, nullptr, nullptr);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Ranges of elements: only the tiles they touch, with the same results as converting the whole buffer

struct RangeCase {
  Shape shape;
  Layout layout;
  DataType data_type;
  DataType host_type;
};

TEST(element_ranges_equal_whole_buffer_conversion) {
  std::mt19937 rng(17);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  const std::vector<RangeCase> cases{
      {{2, 70, 45}, Layout::TILE, DataType::BFLOAT8_B, DataType::FLOAT32},
      {{2, 70, 45}, Layout::TILE, DataType::BFLOAT4_B, DataType::FLOAT32},
      {{33, 64}, Layout::TILE, DataType::BFLOAT16, DataType::FLOAT32},
      {{3000}, Layout::TILE, DataType::BFLOAT8_B, DataType::FLOAT32},  // rank 1: one row of tiles
      {{40, 40}, Layout::TILE, DataType::FLOAT32, DataType::FLOAT32},
      {{5, 7, 9}, Layout::TILE, DataType::UINT8, DataType::UINT8},        // generic (un)tilize
      {{37, 41}, Layout::TILE, DataType::BFLOAT8_B, DataType::BFLOAT16},
      {{1000}, Layout::ROW_MAJOR, DataType::BFLOAT16, DataType::FLOAT32},
  };
  for (const RangeCase& c : cases) {
    const TensorDesc d = desc(c.shape, c.layout, c.data_type, c.host_type);
    const int64_t n = d.numel();
    const size_t es = d.host_element_size();
    Bytes x(d.logical_bytes());
    for (int64_t i = 0; i < n; ++i) {
      const float v = normal(rng);
      if (es == 4) std::memcpy(x.data() + i * 4, &v, 4);
      if (es == 2) { const uint16_t h = fmt::float_to_bf16_bits(v); std::memcpy(x.data() + i * 2, &h, 2); }
      if (es == 1) x[static_cast<size_t>(i)] = static_cast<uint8_t>(rng());
    }
    Bytes physical = encode_bytes(d, x.data());
    int mismatched_reads = 0, mismatched_writes = 0;
    for (int round = 0; round < 60; ++round) {
      // Single elements, short runs and long runs crossing rows, bands and slices.
      const int64_t first = std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
      const int64_t limit = n - first;
      const int64_t count = round % 3 == 0 ? 1 : std::uniform_int_distribution<int64_t>(0, round % 3 == 1 ? std::min<int64_t>(limit, 70) : limit)(rng);
      // Read: the run equals the same run of a whole-buffer decode.
      const Bytes whole = decode_bytes(d, physical);
      Bytes run(static_cast<size_t>(count) * es);
      decode_range(d, physical.data(), first, count, run.data());
      mismatched_reads += !std::equal(run.begin(), run.end(), whole.begin() + first * es);
      // Write: equals decoding everything, patching the run and encoding everything.
      Bytes patch(run.size());
      for (auto& b : patch) b = static_cast<uint8_t>(rng());
      if (es >= 2) {  // keep patched values finite so a lossy format's encoding is well away from NaN rules
        for (int64_t i = 0; i < count; ++i) {
          const float v = normal(rng);
          if (es == 4) std::memcpy(patch.data() + i * 4, &v, 4);
          else { const uint16_t h = fmt::float_to_bf16_bits(v); std::memcpy(patch.data() + i * 2, &h, 2); }
        }
      }
      Bytes patched = whole;
      std::copy(patch.begin(), patch.end(), patched.begin() + first * es);
      const Bytes want = encode_bytes(d, patched.data());
      encode_range(d, physical.data(), first, count, patch.data());
      mismatched_writes += physical != want;
      physical = want;
    }
    CHECK_EQ(mismatched_reads, 0);
    CHECK_EQ(mismatched_writes, 0);
  }
}

TEST(element_ranges_reject_runs_outside_the_buffer) {
  const TensorDesc d = desc({4, 40}, Layout::TILE, DataType::BFLOAT8_B, DataType::FLOAT32);
  Bytes physical(d.physical_bytes());
  float out[2];
  bool threw = false;
  try {
    decode_range(d, physical.data(), 159, 2, out);
  } catch (const std::out_of_range&) {
    threw = true;
  }
  CHECK(threw);
}

int main(int argc, char** argv) {
  if (argc > 1) g_golden_dir = argv[1];
  return check::run_all();
}
