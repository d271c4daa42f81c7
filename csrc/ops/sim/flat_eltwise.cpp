#include "ops/sim/flat_eltwise.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "ops/numerics.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

constexpr int64_t kTile = 1024;  // elements of a 32x32 tile: four 16x16 faces
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

// How the second operand pairs with the first one's stored elements. Units of work: elements for
// kSame and kNumber, tiles for kTileRow, rows for kRowMajorRow.
struct Second {
  enum Kind { kSame, kNumber, kTileRow, kRowMajorRow } kind = kSame;
  const float* elements = nullptr;  // kSame: stored like the first; rows: one value per column, padded
  float number = 0.0f;
  int64_t tiles_wide = 1;  // kTileRow: tiles per tile row
  int64_t width = 1;       // kRowMajorRow: elements per row
};

template <FlatOp kOp, bool kFlush>
[[gnu::always_inline]] inline void span(const float* __restrict a, const float* __restrict b, float* __restrict out,
                                        int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float r = apply<kOp>(a[i], b[i]);
    out[i] = kFlush ? flushed(r) : r;
  }
}

template <FlatOp kOp, bool kFlush>
[[gnu::always_inline]] inline void kernel(const float* a, const Second& b, float* out, int64_t first, int64_t last) {
  switch (b.kind) {
    case Second::kSame: return span<kOp, kFlush>(a + first, b.elements + first, out + first, last - first);
    case Second::kNumber:
      for (int64_t i = first; i < last; ++i) {
        const float r = apply<kOp>(a[i], b.number);
        out[i] = kFlush ? flushed(r) : r;
      }
      return;
    case Second::kTileRow:
      // Face f of a tile holds columns (f % 2) * 16 .. + 16 of the tile's 32, sixteen rows of them.
      for (int64_t t = first; t < last; ++t) {
        const float* columns = b.elements + (t % b.tiles_wide) * 32;
        for (int64_t f = 0; f < 4; ++f) {
          const float* v = columns + (f % 2) * 16;
          for (int64_t r = 0; r < 16; ++r) {
            const int64_t at = t * kTile + f * 256 + r * 16;
            span<kOp, kFlush>(a + at, v, out + at, 16);
          }
        }
      }
      return;
    case Second::kRowMajorRow:
      for (int64_t row = first; row < last; ++row) {
        span<kOp, kFlush>(a + row * b.width, b.elements, out + row * b.width, b.width);
      }
      return;
  }
}

// The kernel compiled for the widest vectors the CPU has: the extension is built for the baseline x86-64
// (SSE2), where the flushed loop runs at a fraction of memory speed. Function-level targets keep the
// rest of the build portable; the choice is made once, from what the CPU reports.
using KernelFn = void (*)(const float*, const Second&, float*, int64_t, int64_t);
#if defined(__x86_64__) && defined(__GNUC__)
template <FlatOp kOp, bool kFlush>
__attribute__((target("avx512f"))) void kernel_avx512(const float* a, const Second& b, float* out, int64_t first,
                                                      int64_t last) {
  kernel<kOp, kFlush>(a, b, out, first, last);
}
template <FlatOp kOp, bool kFlush>
__attribute__((target("avx2"))) void kernel_avx2(const float* a, const Second& b, float* out, int64_t first,
                                                 int64_t last) {
  kernel<kOp, kFlush>(a, b, out, first, last);
}
#endif
template <FlatOp kOp, bool kFlush>
void kernel_baseline(const float* a, const Second& b, float* out, int64_t first, int64_t last) {
  kernel<kOp, kFlush>(a, b, out, first, last);
}

template <FlatOp kOp, bool kFlush>
KernelFn widest_kernel() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx512f")) return kernel_avx512<kOp, kFlush>;
  if (__builtin_cpu_supports("avx2")) return kernel_avx2<kOp, kFlush>;
#endif
  return kernel_baseline<kOp, kFlush>;
}

template <FlatOp kOp>
void run(const float* a, const Second& b, float* out, int64_t units, int64_t unit_elements) {
  static const KernelFn flushing = widest_kernel<kOp, true>(), plain = widest_kernel<kOp, false>();
  const KernelFn fn = numerics() == Numerics::kTt ? flushing : plain;
  const int64_t grain = std::max<int64_t>(1, kGrain / unit_elements);
  if (units <= grain) return fn(a, b, out, 0, units);  // small calls: no task machinery
  at::parallel_for(0, units, grain, [&](int64_t first, int64_t last) { fn(a, b, out, first, last); });
}

void run(FlatOp op, const float* a, const Second& b, float* out, int64_t units, int64_t unit_elements) {
  switch (op) {
    case FlatOp::kAdd: return run<FlatOp::kAdd>(a, b, out, units, unit_elements);
    case FlatOp::kSubtract: return run<FlatOp::kSubtract>(a, b, out, units, unit_elements);
    case FlatOp::kMultiply: return run<FlatOp::kMultiply>(a, b, out, units, unit_elements);
    case FlatOp::kRelu: return run<FlatOp::kRelu>(a, b, out, units, unit_elements);
    case FlatOp::kNone: break;
  }
}

// The stored FLOAT32 elements of an operand arranged as `like` (its shape and layout), or nullptr.
const float* elements(const TtTensor* t, const TtTensor& like) {
  if (!t || t->dtype != DataType::FLOAT32 || t->host_type != DataType::FLOAT32 || t->layout != like.layout ||
      t->shape != like.shape || t->numel() == 0) {
    return nullptr;
  }
  core::DeviceBuffer* buffer = t->buffer();
  if (!buffer || !buffer->arranged_as(like.shape, like.layout, DataType::FLOAT32)) return nullptr;
  return static_cast<const float*>(buffer->host_bytes());
}

// A FLOAT32 tensor holding one value per column of `like` (all its other dims 1): broadcast along rows.
bool is_row_vector(const TtTensor& t, const TtTensor& like) {
  if (t.dtype != DataType::FLOAT32 || t.host_type != DataType::FLOAT32 || t.rank() > like.rank() || t.rank() == 0 ||
      like.shape.back() < 2 || t.shape.back() != like.shape.back()) {
    return false;
  }
  for (int64_t d = 0; d + 1 < t.rank(); ++d) {
    if (t.shape[d] != 1) return false;
  }
  return true;
}

// How `v` (the second operand's value) pairs with `main`'s stored elements, or empty when the flat loop
// cannot pair them. `columns` holds a row vector's values (zero past the last column: tile padding).
std::optional<Second> second_of(const Value* v, const TtTensor& main, std::vector<float>& columns) {
  Second s;
  if (!v) return std::nullopt;
  if (const double* number = std::get_if<double>(v)) {
    s.kind = Second::kNumber;
    s.number = static_cast<float>(*number);
    return s;
  }
  const auto* t = std::get_if<TtTensor>(v);
  if (!t) return std::nullopt;
  if ((s.elements = elements(t, main))) return s;
  if (!is_row_vector(*t, main) || !t->buffer()) return std::nullopt;
  const at::Tensor values = read(*t).reshape({-1});
  const int64_t width = main.shape.back();
  columns.assign((width + 31) / 32 * 32, 0.0f);
  std::memcpy(columns.data(), values.contiguous().data_ptr<float>(), width * sizeof(float));
  s.elements = columns.data();
  if (main.layout == Layout::TILE) {
    s.kind = Second::kTileRow;
    s.tiles_wide = (width + 31) / 32;
  } else {
    s.kind = Second::kRowMajorRow;
    s.width = width;
  }
  return s;
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
  const float* a = elements(main, *main);
  if (!a) return std::nullopt;
  std::vector<float> columns;
  Second b;
  if (second) {
    auto paired = second_of(args.find(second), *main, columns);
    if (!paired) return std::nullopt;
    b = *paired;
  } else {
    b.elements = a;  // a unary op reads its one operand
  }
  TtTensor out = allocate(main->device(), main->shape, main->layout, DataType::FLOAT32, DataType::FLOAT32);
  core::DeviceBuffer* buffer = out.buffer();
  auto* values = buffer ? static_cast<float*>(buffer->host_bytes()) : nullptr;
  if (!values) return std::nullopt;
  // Every stored element, padding included: the same arrangement holds the same positions.
  const int64_t stored = static_cast<int64_t>(buffer->physical_bytes() / sizeof(float));
  switch (b.kind) {
    case Second::kSame:
    case Second::kNumber: run(op, a, b, values, stored, 1); break;
    case Second::kTileRow: run(op, a, b, values, stored / kTile, kTile); break;
    case Second::kRowMajorRow: run(op, a, b, values, stored / b.width, b.width); break;
  }
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
