// The reference device's implementation of the op vocabulary, family by family: each op is called through
// the vocabulary (ops::call, as the aten kernels call it) on TT tensors written into device memory, and its
// result is read back and compared with values computed here with plain loops from the op's definition
// (TT-NN's docs and its golden functions), in exact numerics and, where they differ, in tt numerics.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <vector>

// ATen's logging (precompiled ahead of this file) defines a CHECK of its own; the test harness's is meant.
#undef CHECK
#include "check.h"
#include "ops/dispatch.h"
#include "ops/numerics.h"

namespace ops = ttnn_device::ops;
using ops::DataType;
using ops::Layout;
using ops::Shape;
using ops::TtTensor;
using Floats = std::vector<float>;

namespace {

const c10::Device kDevice(c10::DeviceType::PrivateUse1, 0);

// --- values in and out of device memory ---------------------------------------------------------------

uint16_t bf16_bits_rne(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x7FFFFFu)) return static_cast<uint16_t>((u >> 16) | 0x40);
  const uint32_t lsb = (u >> 16) & 1u;
  return static_cast<uint16_t>((u + 0x7FFFu + lsb) >> 16);
}

float from_bf16_bits(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

float round_bf16(float f) { return from_bf16_bits(bf16_bits_rne(f)); }

// A tensor on the device holding `values` (rounded to bfloat16 first for BFLOAT16).
TtTensor tensor(const Shape& shape, const Floats& values, Layout layout = Layout::ROW_MAJOR,
                DataType dtype = DataType::FLOAT32) {
  TtTensor t = ops::allocate(kDevice, shape, layout, dtype, ops::host_type_for(dtype));
  if (dtype == DataType::BFLOAT16) {
    std::vector<uint16_t> bits;
    for (float v : values) bits.push_back(bf16_bits_rne(v));
    t.buffer()->write(0, bits.size() * 2, bits.data());
  } else if (dtype == DataType::INT32 || dtype == DataType::UINT32) {
    std::vector<int32_t> ints(values.begin(), values.end());
    t.buffer()->write(0, ints.size() * 4, ints.data());
  } else {
    t.buffer()->write(0, values.size() * 4, values.data());
  }
  return t;
}

// The stored values of a tensor, as floats.
Floats values(const TtTensor& t) {
  const int64_t n = t.numel();
  Floats out(n);
  if (t.host_type == DataType::BFLOAT16) {
    std::vector<uint16_t> bits(n);
    t.buffer()->read(0, n * 2, bits.data());
    for (int64_t i = 0; i < n; ++i) out[i] = from_bf16_bits(bits[i]);
  } else if (t.host_type == DataType::INT32 || t.host_type == DataType::UINT32) {
    std::vector<int32_t> ints(n);
    t.buffer()->read(0, n * 4, ints.data());
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(ints[i]);
  } else {
    t.buffer()->read(0, n * 4, out.data());
  }
  return out;
}

Floats ramp(int64_t n, float scale = 0.37f, float shift = -2.0f) {
  Floats v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = shift + scale * static_cast<float>((i * 7) % 23);
  return v;
}

// Element-wise closeness: |a - e| <= atol + rtol * |e| (NaNs must match).
void check_close(const char* what, const Floats& actual, const Floats& expected, float atol, float rtol) {
  CHECK_EQ(actual.size(), expected.size());
  if (actual.size() != expected.size()) return;
  int bad = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const float a = actual[i], e = expected[i];
    const bool ok = (std::isnan(a) && std::isnan(e)) || a == e || std::fabs(a - e) <= atol + rtol * std::fabs(e);
    if (!ok && bad++ < 3) {
      std::printf("    %s[%zu]: got %.9g, expected %.9g\n", what, i, static_cast<double>(a), static_cast<double>(e));
    }
  }
  CHECK_EQ(bad, 0);
}

void check_exact(const char* what, const Floats& actual, const Floats& expected) {
  check_close(what, actual, expected, 0.0f, 0.0f);
}

struct NumericsScope {
  ops::Numerics saved = ops::numerics();
  explicit NumericsScope(ops::Numerics mode) { ops::set_numerics(mode); }
  ~NumericsScope() { ops::set_numerics(saved); }
};

}  // namespace

// --- elementwise binary ---------------------------------------------------------------------------------

TEST(add_broadcasts_rows_in_tile_float32) {
  NumericsScope exact(ops::Numerics::kExact);
  const Floats a = ramp(2 * 3 * 5), b = ramp(5, 1.25f, 0.5f);
  TtTensor out = ops::call1("add", {{"input_tensor_a", tensor({2, 3, 5}, a, Layout::TILE)},
                                    {"input_tensor_b", tensor({1, 1, 5}, b, Layout::TILE)}});
  CHECK_EQ(out.shape, (Shape{2, 3, 5}));
  CHECK_EQ(out.layout, Layout::TILE);
  Floats expected(a.size());
  for (size_t i = 0; i < a.size(); ++i) expected[i] = a[i] + b[i % 5];
  check_exact("add", values(out), expected);
}

TEST(multiply_bfloat16_rounds_once_to_nearest_even) {
  NumericsScope exact(ops::Numerics::kExact);
  const Floats a = ramp(64, 0.173f), b = ramp(64, -0.291f, 1.1f);
  TtTensor ta = tensor({64}, a, Layout::ROW_MAJOR, DataType::BFLOAT16);
  TtTensor tb = tensor({64}, b, Layout::ROW_MAJOR, DataType::BFLOAT16);
  TtTensor out = ops::call1("multiply", {{"input_tensor_a", ta}, {"input_tensor_b", tb}});
  CHECK_EQ(out.dtype, DataType::BFLOAT16);
  Floats expected(64);
  for (int i = 0; i < 64; ++i) expected[i] = round_bf16(round_bf16(a[i]) * round_bf16(b[i]));
  check_exact("multiply", values(out), expected);
}

TEST(subtract_with_a_number_and_divide_floor) {
  NumericsScope exact(ops::Numerics::kExact);
  const Floats a = ramp(12, 1.7f, -9.0f);
  TtTensor ta = tensor({3, 4}, a);
  TtTensor sub = ops::call1("subtract", {{"input_tensor_a", ta}, {"input_tensor_b", 2.5}});
  TtTensor div = ops::call1("divide", {{"input_tensor_a", ta}, {"input_tensor_b", 3.0}, {"rounding_mode", std::string("floor")}});
  Floats e_sub(12), e_div(12);
  for (int i = 0; i < 12; ++i) {
    e_sub[i] = a[i] - 2.5f;
    e_div[i] = std::floor(a[i] / 3.0f);
  }
  check_exact("subtract", values(sub), e_sub);
  check_exact("divide floor", values(div), e_div);
}

TEST(comparisons_give_one_and_zero_in_the_input_dtype) {
  const Floats a = {1, 2, 3, 4}, b = {4, 2, 1, 4};
  TtTensor lt = ops::call1("lt", {{"input_tensor_a", tensor({4}, a)}, {"input_tensor_b", tensor({4}, b)}});
  TtTensor eq = ops::call1("eq", {{"input_tensor_a", tensor({4}, a)}, {"input_tensor_b", tensor({4}, b)}});
  CHECK_EQ(lt.dtype, DataType::FLOAT32);
  check_exact("lt", values(lt), {1, 0, 0, 0});
  check_exact("eq", values(eq), {0, 1, 0, 1});
}

TEST(where_selects_by_nonzero_predicate) {
  TtTensor out = ops::call1("where", {{"predicate", tensor({4}, {0, 2, -1, 0})},
                                      {"true_value", tensor({4}, {10, 20, 30, 40})},
                                      {"false_value", -1.0}});
  check_exact("where", values(out), {-1, 20, 30, -1});
}

// --- elementwise unary ----------------------------------------------------------------------------------

TEST(unary_math_matches_libm) {
  NumericsScope exact(ops::Numerics::kExact);
  const Floats x = ramp(40, 0.21f, 0.05f);  // positive: log and sqrt defined
  struct Case {
    const char* op;
    std::function<float(float)> f;
  };
  const Case cases[] = {
      {"exp", [](float v) { return std::exp(v); }},
      {"log", [](float v) { return std::log(v); }},
      {"sqrt", [](float v) { return std::sqrt(v); }},
      {"tanh", [](float v) { return std::tanh(v); }},
      {"sigmoid", [](float v) { return 1.0f / (1.0f + std::exp(-v)); }},
      {"erf", [](float v) { return std::erf(v); }},
      {"silu", [](float v) { return v / (1.0f + std::exp(-v)); }},
      {"reciprocal", [](float v) { return 1.0f / v; }},
  };
  for (const auto& c : cases) {
    TtTensor out = ops::call1(c.op, {{"input_tensor", tensor({5, 8}, x, Layout::TILE)}});
    Floats expected(x.size());
    std::transform(x.begin(), x.end(), expected.begin(), c.f);
    check_close(c.op, values(out), expected, 1e-6f, 2e-6f);
  }
}

TEST(relu_and_leaky_relu) {
  const Floats x = ramp(16, 0.5f, -4.0f);
  TtTensor relu = ops::call1("relu", {{"input_tensor", tensor({16}, x)}});
  TtTensor leaky = ops::call1("leaky_relu", {{"input_tensor", tensor({16}, x)}, {"negative_slope", 0.125}});
  Floats e_relu(16), e_leaky(16);
  for (int i = 0; i < 16; ++i) {
    e_relu[i] = x[i] > 0 ? x[i] : 0.0f;
    e_leaky[i] = x[i] > 0 ? x[i] : x[i] * 0.125f;
  }
  check_exact("relu", values(relu), e_relu);
  check_exact("leaky_relu", values(leaky), e_leaky);
}

TEST(tt_numerics_flush_denormal_results_exact_keeps_them) {
  const float tiny = 1e-39f;  // a float32 denormal
  const Floats x = {tiny, -tiny, 1.0f, 0.0f};
  {
    NumericsScope tt(ops::Numerics::kTt);
    TtTensor out = ops::call1("relu", {{"input_tensor", tensor({4}, x)}});
    check_exact("relu tt", values(out), {0.0f, 0.0f, 1.0f, 0.0f});
  }
  {
    NumericsScope exact(ops::Numerics::kExact);
    TtTensor out = ops::call1("relu", {{"input_tensor", tensor({4}, x)}});
    check_exact("relu exact", values(out), {tiny, 0.0f, 1.0f, 0.0f});
  }
}

// --- matmul ---------------------------------------------------------------------------------------------

Floats matmul_loops(const Floats& a, const Floats& b, int m, int k, int n) {
  Floats c(m * n);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double acc = 0;
      for (int p = 0; p < k; ++p) acc += static_cast<double>(a[i * k + p]) * b[p * n + j];
      c[i * n + j] = static_cast<float>(acc);
    }
  }
  return c;
}

float keep_mantissa_bits(float f, int bits) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u &= ~((1u << (23 - bits)) - 1u);
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(matmul_and_linear_exact) {
  NumericsScope exact(ops::Numerics::kExact);
  const int m = 3, k = 37, n = 5;
  const Floats a = ramp(m * k, 0.11f, -1.0f), b = ramp(k * n, -0.07f, 0.6f), bias = ramp(n, 1.0f, 0.0f);
  TtTensor ta = tensor({m, k}, a, Layout::TILE), tb = tensor({k, n}, b, Layout::TILE);
  TtTensor mm = ops::call1("matmul", {{"input_tensor_a", ta}, {"input_tensor_b", tb}});
  CHECK_EQ(mm.shape, (Shape{m, n}));
  check_close("matmul", values(mm), matmul_loops(a, b, m, k, n), 1e-5f, 1e-5f);
  TtTensor lin = ops::call1("linear", {{"input_tensor_a", ta}, {"input_tensor_b", tb}, {"bias", tensor({n}, bias, Layout::TILE)}});
  Floats expected = matmul_loops(a, b, m, k, n);
  for (int i = 0; i < m * n; ++i) expected[i] += bias[i % n];
  check_close("linear", values(lin), expected, 1e-5f, 1e-5f);
}

TEST(matmul_bfloat16_tt_numerics_cut_activations_to_hifi2_bits) {
  // TT-NN's default for BFLOAT16 x BFLOAT16 is HiFi2: the activations (in0) reach the multiplier with 6
  // mantissa bits, the weights (in1) whole; products accumulate in fp32, the result rounds to BFLOAT16.
  NumericsScope tt(ops::Numerics::kTt);
  const int m = 2, k = 16, n = 3;
  Floats a = ramp(m * k, 0.0371f, 0.9f), b = ramp(k * n, 0.0519f, -0.4f);
  for (auto& v : a) v = round_bf16(v);
  for (auto& v : b) v = round_bf16(v);
  TtTensor out = ops::call1("matmul", {{"input_tensor_a", tensor({m, k}, a, Layout::TILE, DataType::BFLOAT16)},
                                       {"input_tensor_b", tensor({k, n}, b, Layout::TILE, DataType::BFLOAT16)}});
  Floats cut = a;
  for (auto& v : cut) v = keep_mantissa_bits(v, 6);
  Floats expected = matmul_loops(cut, b, m, k, n);
  for (auto& v : expected) v = round_bf16(v);
  check_close("matmul tt", values(out), expected, 0.0f, 1.0f / 128);
  // and the cut is visible: exact numerics differ from it for these values
  Floats full = matmul_loops(a, b, m, k, n);
  bool differs = false;
  for (int i = 0; i < m * n; ++i) differs |= round_bf16(full[i]) != expected[i];
  CHECK(differs);
}

// --- reductions -----------------------------------------------------------------------------------------

TEST(sum_mean_max_over_a_dim) {
  NumericsScope exact(ops::Numerics::kExact);
  const Floats x = ramp(4 * 6, 0.9f, -3.0f);
  TtTensor t = tensor({4, 6}, x, Layout::TILE);
  TtTensor sum = ops::call1("sum", {{"input_tensor", t}, {"dim", std::vector<int64_t>{1}}, {"keepdim", true}});
  TtTensor mean = ops::call1("mean", {{"input_tensor", t}, {"dim", std::vector<int64_t>{0}}, {"keepdim", false}});
  TtTensor max = ops::call1("max", {{"input_tensor", t}, {"dim", std::vector<int64_t>{1}}, {"keepdim", false}});
  CHECK_EQ(sum.shape, (Shape{4, 1}));
  CHECK_EQ(mean.shape, (Shape{6}));
  Floats e_sum(4, 0), e_mean(6, 0), e_max(4, -INFINITY);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 6; ++j) {
      e_sum[i] += x[i * 6 + j];
      e_mean[j] += x[i * 6 + j] / 4;
      e_max[i] = std::max(e_max[i], x[i * 6 + j]);
    }
  }
  check_close("sum", values(sum), e_sum, 1e-6f, 1e-6f);
  check_close("mean", values(mean), e_mean, 1e-6f, 1e-6f);
  check_exact("max", values(max), e_max);
}

TEST(argmax_first_of_ties_and_cumsum) {
  const Floats x = {1, 5, 5, 2, 7, 7, 0, 7};
  TtTensor arg = ops::call1("argmax", {{"input_tensor", tensor({2, 4}, x)}, {"dim", int64_t{1}}, {"keepdim", false}});
  CHECK_EQ(arg.dtype, DataType::UINT32);
  check_exact("argmax", values(arg), {1, 0});
  TtTensor cum = ops::call1("cumsum", {{"input", tensor({2, 4}, x)}, {"dim", int64_t{1}}});
  check_exact("cumsum", values(cum), {1, 6, 11, 13, 7, 14, 14, 21});
}

// --- normalisation --------------------------------------------------------------------------------------

TEST(softmax_and_layer_norm) {
  NumericsScope exact(ops::Numerics::kExact);
  const int rows = 3, cols = 10;
  const Floats x = ramp(rows * cols, 0.43f, -2.0f), w = ramp(cols, 0.1f, 0.5f), b = ramp(cols, -0.2f, 0.3f);
  TtTensor t = tensor({rows, cols}, x, Layout::TILE);
  TtTensor sm = ops::call1("softmax", {{"input_tensor", t}, {"dim", int64_t{-1}}});
  TtTensor ln = ops::call1("layer_norm", {{"input_tensor", t}, {"epsilon", 1e-5},
                                          {"weight", tensor({cols}, w, Layout::TILE)},
                                          {"bias", tensor({cols}, b, Layout::TILE)}});
  Floats e_sm(x.size()), e_ln(x.size());
  for (int r = 0; r < rows; ++r) {
    const float* row = &x[r * cols];
    const float mx = *std::max_element(row, row + cols);
    double z = 0, mean = 0, var = 0;
    for (int c = 0; c < cols; ++c) z += std::exp(static_cast<double>(row[c]) - mx), mean += row[c];
    mean /= cols;
    for (int c = 0; c < cols; ++c) var += (row[c] - mean) * (row[c] - mean);
    var /= cols;  // biased, as TT-NN and torch
    for (int c = 0; c < cols; ++c) {
      e_sm[r * cols + c] = static_cast<float>(std::exp(static_cast<double>(row[c]) - mx) / z);
      e_ln[r * cols + c] = static_cast<float>((row[c] - mean) / std::sqrt(var + 1e-5) * w[c] + b[c]);
    }
  }
  check_close("softmax", values(sm), e_sm, 1e-6f, 1e-5f);
  check_close("layer_norm", values(ln), e_ln, 1e-5f, 1e-5f);

  // log-softmax along each dim: x - max - log(sum(exp(x - max))) over that dim.
  for (int64_t dim : {0, 1}) {
    TtTensor ls = ops::call1("moreh_logsoftmax", {{"input_tensor", t}, {"dim", dim}});
    const int outer = dim == 0 ? cols : rows, inner = dim == 0 ? rows : cols;
    Floats e_ls(x.size());
    for (int o = 0; o < outer; ++o) {
      auto at = [&](int i) { return dim == 0 ? i * cols + o : o * cols + i; };
      float mx = x[at(0)];
      for (int i = 1; i < inner; ++i) mx = std::max(mx, x[at(i)]);
      double z = 0;
      for (int i = 0; i < inner; ++i) z += std::exp(static_cast<double>(x[at(i)]) - mx);
      for (int i = 0; i < inner; ++i) e_ls[at(i)] = static_cast<float>(x[at(i)] - mx - std::log(z));
    }
    check_close("moreh_logsoftmax", values(ls), e_ls, 1e-5f, 1e-5f);
  }
}

// --- data movement --------------------------------------------------------------------------------------

TEST(permute_slice_concat_pad) {
  const Floats x = ramp(2 * 3 * 4, 1.0f, 0.0f);
  TtTensor t = tensor({2, 3, 4}, x);
  TtTensor p = ops::call1("permute", {{"input_tensor", t}, {"dims", std::vector<int64_t>{2, 0, 1}}});
  CHECK_EQ(p.shape, (Shape{4, 2, 3}));
  Floats e_p;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) e_p.push_back(x[(i * 3 + j) * 4 + k]);
  check_exact("permute", values(p), e_p);

  TtTensor s = ops::call1("slice", {{"input_tensor", t}, {"starts", std::vector<int64_t>{1, 0, 1}},
                                    {"ends", std::vector<int64_t>{2, 3, 4}}, {"steps", std::vector<int64_t>{1, 2, 2}}});
  CHECK_EQ(s.shape, (Shape{1, 2, 2}));
  check_exact("slice", values(s), {x[12 + 1], x[12 + 3], x[12 + 8 + 1], x[12 + 8 + 3]});

  TtTensor c = ops::call1("concat", {{"tensors", std::vector<TtTensor>{tensor({1, 2}, {1, 2}), tensor({1, 3}, {3, 4, 5})}},
                                     {"dim", int64_t{1}}});
  CHECK_EQ(c.shape, (Shape{1, 5}));
  check_exact("concat", values(c), {1, 2, 3, 4, 5});

  // TILE pages joined as stored: along the width in whole tiles (the last part partial) and along a dim
  // above the tiled two.
  const Floats a = ramp(2 * 3 * 32, 0.5f, 1.0f), b2 = ramp(2 * 3 * 7, 0.25f, -1.0f);
  TtTensor tc = ops::call1("concat", {{"tensors", std::vector<TtTensor>{tensor({2, 3, 32}, a, Layout::TILE),
                                                                       tensor({2, 3, 7}, b2, Layout::TILE)}},
                                      {"dim", int64_t{-1}}});
  CHECK_EQ(tc.shape, (Shape{2, 3, 39}));
  Floats e_tc;
  for (int r = 0; r < 6; ++r) {
    for (int k = 0; k < 32; ++k) e_tc.push_back(a[r * 32 + k]);
    for (int k = 0; k < 7; ++k) e_tc.push_back(b2[r * 7 + k]);
  }
  check_exact("concat of tiles along the width", values(tc), e_tc);
  const Floats half(b2.begin(), b2.begin() + 21);
  TtTensor tb = ops::call1("concat", {{"tensors", std::vector<TtTensor>{tensor({2, 3, 7}, b2, Layout::TILE),
                                                                       tensor({1, 3, 7}, half, Layout::TILE)}},
                                      {"dim", int64_t{0}}});
  CHECK_EQ(tb.shape, (Shape{3, 3, 7}));
  Floats e_tb = b2;
  e_tb.insert(e_tb.end(), half.begin(), half.end());
  check_exact("concat of tiles along dim 0", values(tb), e_tb);

  TtTensor padded = ops::call1("pad", {{"input_tensor", tensor({1, 2}, {7, 8})},
                                       {"padding", std::vector<int64_t>{1, 0, 0, 2}}, {"value", 9.0}});
  CHECK_EQ(padded.shape, (Shape{2, 4}));
  check_exact("pad", values(padded), {9, 9, 9, 9, 7, 8, 9, 9});
}

// Attention's head moves: rows [B, S, (H + 2 Hkv) D] into heads [B, H, S, D] and heads back into rows. Head
// size 32 and a sequence of 40 (a partial tile row), so whole tiles move and the padding rows too.
TEST(split_heads_and_concatenate_heads) {
  const int64_t b = 2, s = 40, d = 32, heads = 2, kv_heads = 1, row = (heads + 2 * kv_heads) * d;
  const Floats x = ramp(b * s * row, 0.5f, -3.0f);
  TtTensor rows = tensor({b, s, row}, x, Layout::TILE);
  std::vector<TtTensor> qkv = ops::call("transformer.split_query_key_value_and_split_heads",
                                        {{"input_tensor", rows}, {"num_heads", heads}, {"num_kv_heads", kv_heads},
                                         {"transpose_key", false}});
  CHECK_EQ(qkv.size(), size_t{3});
  const int64_t first[3] = {0, heads, heads + kv_heads}, count[3] = {heads, kv_heads, kv_heads};
  for (int part = 0; part < 3; ++part) {
    CHECK_EQ(qkv[part].shape, (Shape{b, count[part], s, d}));
    CHECK(qkv[part].layout == Layout::TILE);
    Floats expected;
    for (int64_t n = 0; n < b; ++n)
      for (int64_t h = 0; h < count[part]; ++h)
        for (int64_t i = 0; i < s; ++i)
          for (int64_t j = 0; j < d; ++j) expected.push_back(x[(n * s + i) * row + (first[part] + h) * d + j]);
    check_exact("split_query_key_value_and_split_heads", values(qkv[part]), expected);
  }
  // k transposed: [B, Hkv, D, S].
  TtTensor kt = ops::call("transformer.split_query_key_value_and_split_heads",
                          {{"input_tensor", rows}, {"num_heads", heads}, {"num_kv_heads", kv_heads}})[1];
  CHECK_EQ(kt.shape, (Shape{b, kv_heads, d, s}));
  Floats e_kt;
  for (int64_t n = 0; n < b; ++n)
    for (int64_t j = 0; j < d; ++j)
      for (int64_t i = 0; i < s; ++i) e_kt.push_back(x[(n * s + i) * row + heads * d + j]);
  check_exact("split_query_key_value_and_split_heads, k transposed", values(kt), e_kt);

  TtTensor merged = ops::call1("transformer.concatenate_heads", {{"input_tensor", qkv[0]}});
  CHECK_EQ(merged.shape, (Shape{b, s, heads * d}));
  Floats e_merged;
  for (int64_t n = 0; n < b; ++n)
    for (int64_t i = 0; i < s; ++i)
      for (int64_t j = 0; j < heads * d; ++j) e_merged.push_back(x[(n * s + i) * row + j]);
  check_exact("concatenate_heads", values(merged), e_merged);
}

TEST(typecast_to_bfloat16_rounds_to_nearest_even_and_to_layout_keeps_values) {
  // 1 + 2^-8 is halfway between two bfloat16 values: ties go to the even one (1.0); 1 + 3*2^-8 goes up.
  const Floats x = {1.0f + 1.0f / 256, 1.0f + 3.0f / 256, -2.5f, 1e30f};
  TtTensor t = tensor({4}, x, Layout::TILE);
  TtTensor bf = ops::call1("typecast", {{"input_tensor", t}, {"dtype", DataType::BFLOAT16}});
  CHECK_EQ(bf.dtype, DataType::BFLOAT16);
  check_exact("typecast", values(bf), {1.0f, 1.0f + 4.0f / 256, -2.5f, round_bf16(1e30f)});
  TtTensor rm = ops::call1("to_layout", {{"tensor", t}, {"layout", Layout::ROW_MAJOR}});
  CHECK_EQ(rm.layout, Layout::ROW_MAJOR);
  check_exact("to_layout", values(rm), x);
}

TEST(embedding_and_gather_take_32_bit_indices) {
  const Floats weight = ramp(5 * 3, 1.0f, 0.0f);
  TtTensor ids = tensor({2, 2}, {4, 0, 2, 2}, Layout::ROW_MAJOR, DataType::UINT32);
  TtTensor emb = ops::call1("embedding", {{"input_tensor", ids}, {"weight", tensor({5, 3}, weight)}});
  CHECK_EQ(emb.shape, (Shape{2, 2, 3}));
  Floats e_emb;
  for (int id : {4, 0, 2, 2})
    for (int h = 0; h < 3; ++h) e_emb.push_back(weight[id * 3 + h]);
  check_exact("embedding", values(emb), e_emb);

  TtTensor g = ops::call1("gather", {{"input", tensor({2, 3}, {10, 11, 12, 20, 21, 22})}, {"dim", int64_t{1}},
                                     {"index", tensor({2, 2}, {2, 0, 1, 1}, Layout::ROW_MAJOR, DataType::INT32)}});
  check_exact("gather", values(g), {12, 10, 21, 21});
}

// --- vision ---------------------------------------------------------------------------------------------

TEST(max_pool2d_channels_last) {
  // N=1, H=W=4, C=2, kernel 2, stride 2: output [1, 1, N*OH*OW, C].
  const int h = 4, w = 4, c = 2;
  Floats x(h * w * c);
  for (int i = 0; i < h * w * c; ++i) x[i] = static_cast<float>((i * 11) % 17) - 8.0f;
  TtTensor out = ops::call1("max_pool2d", {{"input_tensor", tensor({1, 1, h * w, c}, x)}, {"batch_size", int64_t{1}},
                                           {"input_h", int64_t{h}}, {"input_w", int64_t{w}}, {"channels", int64_t{c}},
                                           {"kernel_size", std::vector<int64_t>{2, 2}}, {"stride", std::vector<int64_t>{2, 2}},
                                           {"padding", std::vector<int64_t>{0, 0}}});
  CHECK_EQ(out.shape, (Shape{1, 1, 4, c}));
  Floats expected;
  for (int oy = 0; oy < 2; ++oy)
    for (int ox = 0; ox < 2; ++ox)
      for (int ch = 0; ch < c; ++ch) {
        float m = -INFINITY;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) m = std::max(m, x[((2 * oy + dy) * w + (2 * ox + dx)) * c + ch]);
        expected.push_back(m);
      }
  check_exact("max_pool2d", values(out), expected);
}

TEST(conv2d_channels_last_exact) {
  NumericsScope exact(ops::Numerics::kExact);
  // N=1, Cin=2, H=W=3, Cout=2, kernel 2, stride 1, padding 0: output [1, 1, 4, 2].
  const int h = 3, w = 3, cin = 2, cout = 2, kh = 2, kw = 2;
  const Floats x = ramp(h * w * cin, 0.3f, -1.0f);          // NHWC
  const Floats weight = ramp(cout * cin * kh * kw, 0.2f, -0.5f);  // OIHW
  TtTensor out = ops::call1("conv2d", {{"input_tensor", tensor({1, h, w, cin}, x)},
                                       {"weight_tensor", tensor({cout, cin, kh, kw}, weight)},
                                       {"in_channels", int64_t{cin}}, {"out_channels", int64_t{cout}},
                                       {"batch_size", int64_t{1}}, {"input_height", int64_t{h}},
                                       {"input_width", int64_t{w}}, {"kernel_size", std::vector<int64_t>{kh, kw}},
                                       {"stride", std::vector<int64_t>{1, 1}}, {"padding", std::vector<int64_t>{0, 0}}});
  CHECK_EQ(out.shape, (Shape{1, 1, 4, cout}));
  Floats expected;
  for (int oy = 0; oy < 2; ++oy)
    for (int ox = 0; ox < 2; ++ox)
      for (int o = 0; o < cout; ++o) {
        double acc = 0;
        for (int i = 0; i < cin; ++i)
          for (int dy = 0; dy < kh; ++dy)
            for (int dx = 0; dx < kw; ++dx)
              acc += static_cast<double>(x[((oy + dy) * w + (ox + dx)) * cin + i]) *
                     weight[((o * cin + i) * kh + dy) * kw + dx];
        expected.push_back(static_cast<float>(acc));
      }
  check_close("conv2d", values(out), expected, 1e-5f, 1e-5f);
}

// --- the vocabulary's own rules -------------------------------------------------------------------------

TEST(a_parameter_outside_the_table_is_refused) {
  CHECK_THROWS(std::logic_error, ops::call1("relu", {{"input_tensor", tensor({1}, {1})}, {"no_such_parameter", 1.0}}));
}

int main() { return check::run_all(); }
