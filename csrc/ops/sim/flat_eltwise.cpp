#include "ops/sim/flat_eltwise.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ops/numerics.h"
#include "ops/sim/host.h"
#include "ops/sim/isa_variants.h"

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
// kSame, kNumber and kRepeat, tiles for kTileRow, rows for kRowMajorRow.
struct Second {
  enum Kind { kSame, kNumber, kTileRow, kRowMajorRow, kRepeat } kind = kSame;
  // kSame: stored like the first; rows: one value per column, padded; kRepeat: stored like each block of
  // `period` elements of the first (an operand broadcast over the first's leading dims)
  const float* elements = nullptr;
  float number = 0.0f;
  int64_t tiles_wide = 1;  // kTileRow: tiles per tile row
  int64_t width = 1;       // kRowMajorRow: elements per row
  int64_t period = 1;      // kRepeat: stored elements of the second operand
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
    case Second::kRepeat:
      for (int64_t at = first; at < last;) {
        const int64_t within = at % b.period, n = std::min(last - at, b.period - within);
        span<kOp, kFlush>(a + at, b.elements + within, out + at, n);
        at += n;
      }
      return;
  }
}

// a * b + c over stored elements [first, last), b and c paired as `Second` says: in runs of at most one
// face row (TILE) or row (row-major), so a broadcast operand's values lie in order within each run. Two
// roundings, product then sum (the build does not contract them into a fused multiply-add), as TT-NN's
// golden function computes it.
inline const float* values_at(const Second& s, int64_t at, const float* numbers, int64_t& run) {
  switch (s.kind) {
    case Second::kSame: run = 16; return s.elements + at;
    case Second::kNumber: run = 16; return numbers;
    case Second::kTileRow: {
      const int64_t within = at % kTile;
      run = 16 - within % 16;
      return s.elements + (at / kTile % s.tiles_wide) * 32 + (within / 256 % 2) * 16 + within % 16;
    }
    case Second::kRowMajorRow: run = s.width - at % s.width; return s.elements + at % s.width;
    case Second::kRepeat: run = s.period - at % s.period; return s.elements + at % s.period;
  }
  run = 1;
  return numbers;
}

template <bool kFlush>
[[gnu::always_inline]] inline void mac_span(const float* __restrict a, const float* __restrict b,
                                            const float* __restrict c, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float product = a[i] * b[i];
    out[i] = kFlush ? flushed(product + c[i]) : product + c[i];
  }
}

template <bool kFlush>
[[gnu::always_inline]] inline void mac_kernel(const float* a, const Second& b, const Second& c, float* out,
                                              int64_t first, int64_t last) {
  if (b.kind == Second::kTileRow && c.kind == Second::kTileRow && first % kTile == 0 && last % kTile == 0) {
    // A per-column scale and shift on tiles (batch norm): whole face rows, each one vector.
    for (int64_t t = first / kTile; t < last / kTile; ++t) {
      const int64_t column = (t % b.tiles_wide) * 32;
      for (int64_t f = 0; f < 4; ++f) {
        const float* vb = b.elements + column + (f % 2) * 16;
        const float* vc = c.elements + column + (f % 2) * 16;
        for (int64_t r = 0; r < 16; ++r) {
          const int64_t at = t * kTile + f * 256 + r * 16;
          mac_span<kFlush>(a + at, vb, vc, out + at, 16);
        }
      }
    }
    return;
  }
  if (b.kind == Second::kSame && c.kind == Second::kSame) {
    return mac_span<kFlush>(a + first, b.elements + first, c.elements + first, out + first, last - first);
  }
  float b_numbers[16], c_numbers[16];
  for (int i = 0; i < 16; ++i) b_numbers[i] = b.number, c_numbers[i] = c.number;
  for (int64_t at = first; at < last;) {
    int64_t b_run = 0, c_run = 0;
    const float* pb = values_at(b, at, b_numbers, b_run);
    const float* pc = values_at(c, at, c_numbers, c_run);
    const int64_t n = std::min({b_run, c_run, last - at});
    mac_span<kFlush>(a + at, pb, pc, out + at, n);
    at += n;
  }
}

// The kernels as isa_variants.h compiles them.
template <FlatOp kOp, bool kFlush>
struct BinaryKernel {
  [[gnu::always_inline]] static void run(const float* a, const Second& b, float* out, int64_t first, int64_t last) {
    kernel<kOp, kFlush>(a, b, out, first, last);
  }
};
template <bool kFlush>
struct MacKernel {
  [[gnu::always_inline]] static void run(const float* a, const Second& b, const Second& c, float* out, int64_t first,
                                         int64_t last) {
    mac_kernel<kFlush>(a, b, c, out, first, last);
  }
};

using KernelFn = void (*)(const float*, const Second&, float*, int64_t, int64_t);
template <FlatOp kOp, bool kFlush>
KernelFn binary_widest() {
  return widest<BinaryKernel<kOp, kFlush>, const float*, const Second&, float*, int64_t, int64_t>();
}
using MacFn = void (*)(const float*, const Second&, const Second&, float*, int64_t, int64_t);
template <bool kFlush>
MacFn mac_widest() {
  return widest<MacKernel<kFlush>, const float*, const Second&, const Second&, float*, int64_t, int64_t>();
}

// fn(first, last) over `units`, split over torch's intra-op threads when the call is large.
template <class Fn>
void run_units(int64_t units, int64_t unit_elements, const Fn& fn) {
  const int64_t grain = std::max<int64_t>(1, kGrain / unit_elements);
  if (units <= grain) return fn(0, units);  // small calls: no task machinery
  at::parallel_for(0, units, grain, fn);
}

template <FlatOp kOp>
void run(const float* a, const Second& b, float* out, int64_t units, int64_t unit_elements) {
  static const KernelFn flushing = binary_widest<kOp, true>(), plain = binary_widest<kOp, false>();
  const KernelFn fn = numerics() == Numerics::kTt ? flushing : plain;
  run_units(units, unit_elements, [&](int64_t first, int64_t last) { fn(a, b, out, first, last); });
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

// The stored FLOAT32 elements of an operand broadcast over `like`'s leading dims only (its dims, less
// leading 1s, are like's last ones, the tiled two among them in TILE): each block of like's stored
// elements pairs with all of them, in order. nullptr otherwise; `period` their count.
const float* repeated_elements(const TtTensor& t, const TtTensor& like, int64_t& period) {
  if (t.dtype != DataType::FLOAT32 || t.host_type != DataType::FLOAT32 || t.layout != like.layout ||
      t.numel() == 0 || t.rank() > like.rank()) {
    return nullptr;
  }
  int64_t lead = 0;
  while (lead < t.rank() && t.shape[lead] == 1) ++lead;
  const int64_t kept = t.rank() - lead, offset = like.rank() - t.rank();
  if (kept < (like.layout == Layout::TILE ? 2 : 1)) return nullptr;
  for (int64_t d = lead; d < t.rank(); ++d) {
    if (t.shape[d] != like.shape[offset + d]) return nullptr;
  }
  core::DeviceBuffer* buffer = t.buffer();
  if (!buffer || !buffer->host_bytes() || !buffer->arranged_as(t.shape, t.layout, DataType::FLOAT32)) return nullptr;
  period = static_cast<int64_t>(desc_for(t.shape, t.layout, DataType::FLOAT32, DataType::FLOAT32).physical_bytes() /
                                sizeof(float));
  return static_cast<const float*>(buffer->host_bytes());
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
  if ((s.elements = repeated_elements(*t, main, s.period))) {
    s.kind = Second::kRepeat;
    return s;
  }
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

// A flat call's main operand and output: the output allocated like the main operand (FLOAT32, its shape
// and layout), or empty when the call does not qualify.
struct FlatCall {
  const TtTensor* main = nullptr;
  const float* a = nullptr;
  TtTensor out;
  core::DeviceBuffer* buffer = nullptr;
  float* values = nullptr;
  int64_t stored = 0;  // every stored element, padding included: the same arrangement holds the same positions
};

std::optional<FlatCall> flat_call(const char* name, const Args& args, const char* first, size_t operands) {
  // Only the operands (and a dtype that changes nothing): any other parameter changes the math.
  const Value* dtype = args.find("dtype");
  if (args.items().size() != operands + (dtype ? 1 : 0)) return std::nullopt;
  if (dtype && args.data_type("dtype") != DataType::FLOAT32) return std::nullopt;
  FlatCall call;
  const Value* va = args.find(first);
  call.main = va ? std::get_if<TtTensor>(va) : nullptr;
  if (!call.main || output_layout(name, call.main->layout) != call.main->layout) return std::nullopt;
  if (!(call.a = elements(call.main, *call.main))) return std::nullopt;
  return call;
}

bool allocate_output(FlatCall& call) {
  const TtTensor& main = *call.main;
  call.out = allocate(main.device(), main.shape, main.layout, DataType::FLOAT32, DataType::FLOAT32);
  call.buffer = call.out.buffer();
  call.values = call.buffer ? static_cast<float*>(call.buffer->host_bytes()) : nullptr;
  // The output's format is the one it was just given: its size needs no look under the buffer's lock.
  const runtime::TensorDesc format = desc_for(main.shape, main.layout, DataType::FLOAT32, DataType::FLOAT32);
  call.stored = static_cast<int64_t>(format.physical_bytes() / sizeof(float));
  return call.values != nullptr;
}

std::optional<TtTensor> flat(FlatOp op, const char* name, const Args& args, const char* first, const char* second) {
  if (op == FlatOp::kNone) return std::nullopt;
  auto call = flat_call(name, args, first, second ? 2 : 1);
  if (!call) return std::nullopt;
  std::vector<float> columns;
  Second b;
  if (second) {
    auto paired = second_of(args.find(second), *call->main, columns);
    if (!paired) return std::nullopt;
    b = *paired;
  } else {
    b.elements = call->a;  // a unary op reads its one operand
  }
  if (!allocate_output(*call)) return std::nullopt;
  switch (b.kind) {
    case Second::kSame:
    case Second::kNumber:
    case Second::kRepeat: run(op, call->a, b, call->values, call->stored, 1); break;
    case Second::kTileRow: run(op, call->a, b, call->values, call->stored / kTile, kTile); break;
    case Second::kRowMajorRow: run(op, call->a, b, call->values, call->stored / b.width, b.width); break;
  }
  call->buffer->contents_changed();
  return std::move(call->out);
}

}  // namespace

std::optional<TtTensor> flat_binary(FlatOp op, const char* name, const Args& args) {
  return flat(op, name, args, "input_tensor_a", "input_tensor_b");
}

std::optional<TtTensor> flat_unary(FlatOp op, const char* name, const Args& args) {
  return flat(op, name, args, "input_tensor", nullptr);
}

std::optional<TtTensor> flat_mac(const Args& args) {
  auto call = flat_call("mac", args, "input_tensor_a", 3);
  if (!call) return std::nullopt;
  std::vector<float> b_columns, c_columns;
  auto b = second_of(args.find("input_tensor_b"), *call->main, b_columns);
  auto c = second_of(args.find("input_tensor_c"), *call->main, c_columns);
  if (!b || !c || !allocate_output(*call)) return std::nullopt;
  static const MacFn flushing = mac_widest<true>(), plain = mac_widest<false>();
  const MacFn fn = numerics() == Numerics::kTt ? flushing : plain;
  const float* a = call->a;
  float* out = call->values;
  // Whole tiles per task (the per-column loop walks tiles); elements otherwise.
  const int64_t unit = call->main->layout == Layout::TILE ? kTile : 1;
  run_units(call->stored / unit, unit, [&](int64_t first, int64_t last) { fn(a, *b, *c, out, first * unit, last * unit); });
  call->buffer->contents_changed();
  return std::move(call->out);
}

}  // namespace ttnn_device::ops::sim
