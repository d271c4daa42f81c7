#include "ops/sim/flat_eltwise.h"

#include <ATen/Parallel.h>

#include <cstdint>
#include <cstring>

#include "ops/numerics.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

// Elements per task when a large call splits over torch's intra-op threads.
constexpr int64_t kGrain = 1 << 15;

// A denormal result (exponent bits 0, mantissa not 0) becomes +0, as the card's packer gives it; zeros
// keep their sign. Branch-free, so the loops vectorise.
inline float flushed(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  const bool denormal = ((bits & 0x7F800000u) == 0) & ((bits & 0x007FFFFFu) != 0);
  bits = denormal ? 0u : bits;
  std::memcpy(&x, &bits, 4);
  return x;
}

template <FlatOp kOp>
inline float apply(float a, float b) {
  if constexpr (kOp == FlatOp::kAdd) return a + b;
  if constexpr (kOp == FlatOp::kSubtract) return a - b;
  if constexpr (kOp == FlatOp::kMultiply) return a * b;
  // relu (unary: b is a again): negatives to 0, NaN and -0 pass through, as torch's.
  return a < 0.0f ? 0.0f : a;
}

template <FlatOp kOp, bool kFlush>
void loop(const float* __restrict a, const float* __restrict b, float* __restrict out, int64_t first, int64_t last) {
  for (int64_t i = first; i < last; ++i) {
    const float r = apply<kOp>(a[i], b[i]);
    out[i] = kFlush ? flushed(r) : r;
  }
}

template <FlatOp kOp>
void run(const float* a, const float* b, float* out, int64_t n) {
  const bool flush = numerics() == Numerics::kTt;
  if (!b) b = a;  // a unary op reads its one operand
  at::parallel_for(0, n, kGrain, [&](int64_t first, int64_t last) {
    flush ? loop<kOp, true>(a, b, out, first, last) : loop<kOp, false>(a, b, out, first, last);
  });
}

void run(FlatOp op, const float* a, const float* b, float* out, int64_t n) {
  switch (op) {
    case FlatOp::kAdd: return run<FlatOp::kAdd>(a, b, out, n);
    case FlatOp::kSubtract: return run<FlatOp::kSubtract>(a, b, out, n);
    case FlatOp::kMultiply: return run<FlatOp::kMultiply>(a, b, out, n);
    case FlatOp::kRelu: return run<FlatOp::kRelu>(a, b, out, n);
    case FlatOp::kNone: break;
  }
}

// The stored FLOAT32 elements of an operand arranged as `like` (its shape and layout), or nullptr.
const float* elements(const Value* v, const TtTensor& like) {
  const auto* t = v ? std::get_if<TtTensor>(v) : nullptr;
  if (!t || t->dtype != DataType::FLOAT32 || t->host_type != DataType::FLOAT32 || t->layout != like.layout ||
      t->shape != like.shape || t->numel() == 0) {
    return nullptr;
  }
  core::DeviceBuffer* buffer = t->buffer();
  if (!buffer || !buffer->arranged_as(like.shape, like.layout, DataType::FLOAT32)) return nullptr;
  return static_cast<const float*>(buffer->host_bytes());
}

std::optional<TtTensor> flat(FlatOp op, const char* name, const Args& args, const char* first, const char* second) {
  if (op == FlatOp::kNone) return std::nullopt;
  // Only the operands (and a dtype that changes nothing): any other parameter changes the math.
  const size_t operands = second ? 2 : 1;
  const Value* dtype = args.find("dtype");
  if (args.items().size() != operands + (dtype ? 1 : 0)) return std::nullopt;
  if (dtype && args.data_type("dtype") != DataType::FLOAT32) return std::nullopt;
  const Value* va = args.find(first);
  const auto* main = va ? std::get_if<TtTensor>(va) : nullptr;
  if (!main || output_layout(name, main->layout) != main->layout) return std::nullopt;
  const float* a = elements(va, *main);
  const float* b = second ? elements(args.find(second), *main) : nullptr;
  if (!a || (second && !b)) return std::nullopt;
  TtTensor out = allocate(main->device(), main->shape, main->layout, DataType::FLOAT32, DataType::FLOAT32);
  core::DeviceBuffer* buffer = out.buffer();
  auto* values = buffer ? static_cast<float*>(buffer->host_bytes()) : nullptr;
  if (!values) return std::nullopt;
  // Every stored element, padding included: the same arrangement holds the same positions.
  run(op, a, b, values, static_cast<int64_t>(buffer->physical_bytes() / sizeof(float)));
  buffer->contents_changed();
  return out;
}

}  // namespace

std::optional<TtTensor> flat_binary(FlatOp op, const char* name, const Args& args) {
  return flat(op, name, args, "input_tensor_a", "input_tensor_b");
}

std::optional<TtTensor> flat_unary(FlatOp op, const char* name, const Args& args) {
  return flat(op, name, args, "input_tensor", nullptr);
}

}  // namespace ttnn_device::ops::sim
