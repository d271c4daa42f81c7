// Matmul kernels: mm, bmm, addmm, baddbmm (torch.matmul, linear and attention decompose into them).
// Operands go to TILE (a whole-storage weight is converted once and stays resident); a weight used
// transposed (linear's w.t()) is passed as stored with transpose_b, never materialised.
#include <ATen/ATen.h>
#include <ATen/native/Resize.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

struct MatmulOperand {
  TtTensor tensor;
  bool transposed = false;
};

bool is_transposed_storage(const at::Tensor& t) {
  return t.dim() >= 2 && t.size(-1) > 1 && t.size(-2) > 1 && is_whole_storage(t.transpose(-1, -2));
}

// Whether `t` is a view whose rows run down its last-but-one dim (an attention key seen as k^T): its
// transpose keeps each stored row whole, so materialising that and passing it transposed moves rows,
// where materialising `t` itself would transpose every element.
bool has_transposed_rows(const at::Tensor& t) {
  return t.dim() >= 2 && t.size(-1) > 1 && t.size(-2) > 1 && t.stride(-2) == 1 && t.stride(-1) != 1;
}

// `t` in TILE; when it is the transpose of its last two dims of a whole storage, that storage instead,
// and when its rows are transposed, its transpose materialised (both passed with the transpose flag).
MatmulOperand matmul_operand(const at::Tensor& t) {
  if (is_transposed_storage(t) || has_transposed_rows(t)) return {to_tt_in(t.transpose(-1, -2), Layout::TILE), true};
  return {to_tt_in(t, Layout::TILE), false};
}

void check_float(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != b.scalar_type()) decline("matmul of two dtypes");  // the CPU raises
  if (!at::isFloatingType(a.scalar_type())) decline("integer matmul");
  math_type(a.scalar_type());
}

// a @ b (+ bias as linear's row vector), as TT-NN's matmul/linear; `wide` asks for a FLOAT32 result, so
// that a bfloat16 product scaled and summed afterwards is rounded once, at the end, as torch rounds it.
// With `rows_free` (the caller only wraps the result), a 2-d `a` times a 2-d weight keeps a's rows
// factored as its buffer stores them (a [B, S, K] activation flattened to [B*S, K] is not re-tiled), and
// the result is in that shape too.
TtTensor product(const at::Tensor& a, const at::Tensor& b, const at::Tensor* bias, bool wide = false,
                 bool rows_free = false) {
  check_float(a, b);
  const bool stored_rows = rows_free && a.dim() == 2 && b.dim() == 2 && !is_transposed_storage(a);
  MatmulOperand ta = stored_rows ? MatmulOperand{rows_as_stored(a, 1), false} : matmul_operand(a);
  MatmulOperand tb = matmul_operand(b);
  ops::Args args{{"input_tensor_a", ta.tensor}, {"input_tensor_b", tb.tensor}};
  if (wide) args.set("dtype", DataType::FLOAT32);
  if (ta.transposed) args.set("transpose_a", true);
  if (tb.transposed) args.set("transpose_b", true);
  if (bias) {
    args.set("bias", cast(to_tt_in(*bias, Layout::TILE), math_type(a.scalar_type())));
    return ops::call1("linear", args);
  }
  return ops::call1("matmul", args);
}

bool is_one(const at::Scalar& s) { return s.isIntegral(true) ? s.toLong() == 1 : s.toDouble() == 1.0; }
bool is_zero(const at::Scalar& s) { return s.isIntegral(true) ? s.toLong() == 0 : s.toDouble() == 0.0; }

// beta * input + alpha * (a @ b) in FLOAT32, rounded once to the operands' dtype.
TtTensor scaled_product_sum(const at::Tensor& input, const at::Tensor& a, const at::Tensor& b, const at::Scalar& beta,
                            const at::Scalar& alpha) {
  const DataType type = math_type(a.scalar_type());
  TtTensor p = product(a, b, nullptr, /*wide=*/true);
  if (!is_one(alpha)) p = ops::call1("multiply", {{"input_tensor_a", p}, {"input_tensor_b", alpha.toDouble()}});
  if (!is_zero(beta)) {  // torch ignores input (even NaN) when beta is 0
    if (input.scalar_type() != a.scalar_type()) decline("an added input of another dtype");
    TtTensor bias = cast(to_tt(input), DataType::FLOAT32);
    if (!is_one(beta)) bias = ops::call1("multiply", {{"input_tensor_a", bias}, {"input_tensor_b", beta.toDouble()}});
    p = ops::call1("add", {{"input_tensor_a", p}, {"input_tensor_b", bias}});
  }
  return cast(p, type);
}

// beta * input + alpha * (a @ b); a row-vector input with unit scales is linear's fused bias.
TtTensor scaled_sum(const at::Tensor& input, const at::Tensor& a, const at::Tensor& b, const at::Scalar& beta,
                    const at::Scalar& alpha) {
  if (input.scalar_type() != a.scalar_type()) decline("addmm with a bias of another dtype");
  const bool row_bias = input.dim() == 1 || (input.dim() == 2 && input.size(0) == 1);
  if (is_one(beta) && is_one(alpha) && row_bias && a.dim() == 2 && input.size(-1) == b.size(-1)) {
    return product(a, b, &input, /*wide=*/false, /*rows_free=*/true);
  }
  return scaled_product_sum(input, a, b, beta, alpha);
}

std::vector<int64_t> mm_sizes(const at::Tensor& a, const at::Tensor& b) {
  TORCH_CHECK(a.dim() == b.dim() && a.size(-1) == b.size(-2), "mat1 and mat2 shapes cannot be multiplied (",
              a.sizes(), " and ", b.sizes(), ")");
  std::vector<int64_t> sizes(a.sizes().begin(), a.sizes().end());
  sizes.back() = b.size(-1);
  return sizes;
}

at::Tensor mm(const at::Tensor& a, const at::Tensor& b) {
  device_of({&a, &b});
  const auto sizes = mm_sizes(a, b);
  return wrap(product(a, b, nullptr, /*wide=*/false, /*rows_free=*/true), a.scalar_type(), sizes);
}
at::Tensor& mm_out(const at::Tensor& a, const at::Tensor& b, at::Tensor& out) {
  device_of({&a, &b, &out});
  const auto sizes = mm_sizes(a, b);
  write_out(out, product(a, b, nullptr), sizes);
  return out;
}

at::Tensor addmm(const at::Tensor& input, const at::Tensor& a, const at::Tensor& b, const at::Scalar& beta,
                 const at::Scalar& alpha) {
  device_of({&input, &a, &b});
  const auto sizes = mm_sizes(a, b);
  return wrap(scaled_sum(input, a, b, beta, alpha), a.scalar_type(), sizes);
}
at::Tensor& addmm_out(const at::Tensor& input, const at::Tensor& a, const at::Tensor& b, const at::Scalar& beta,
                      const at::Scalar& alpha, at::Tensor& out) {
  device_of({&input, &a, &b, &out});
  const auto sizes = mm_sizes(a, b);
  write_out(out, scaled_sum(input, a, b, beta, alpha), sizes);
  return out;
}
at::Tensor& addmm_(at::Tensor& self, const at::Tensor& a, const at::Tensor& b, const at::Scalar& beta,
                   const at::Scalar& alpha) {
  device_of({&self, &a, &b});
  write_into(self, scaled_sum(self, a, b, beta, alpha));
  return self;
}

at::Tensor bmm(const at::Tensor& a, const at::Tensor& b) {
  device_of({&a, &b});
  TORCH_CHECK(a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0), "bmm takes two 3-D tensors of one batch, got ",
              a.sizes(), " and ", b.sizes());
  const auto sizes = mm_sizes(a, b);
  return wrap(product(a, b, nullptr), a.scalar_type(), sizes);
}
at::Tensor& bmm_out(const at::Tensor& a, const at::Tensor& b, at::Tensor& out) {
  device_of({&a, &b, &out});
  const auto sizes = mm_sizes(a, b);
  write_out(out, product(a, b, nullptr), sizes);
  return out;
}
at::Tensor baddbmm(const at::Tensor& input, const at::Tensor& a, const at::Tensor& b, const at::Scalar& beta,
                   const at::Scalar& alpha) {
  device_of({&input, &a, &b});
  const auto sizes = mm_sizes(a, b);
  return wrap(scaled_product_sum(input, a, b, beta, alpha), a.scalar_type(), sizes);
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("mm", ATEN_OP(mm), &mm);
  TTNN_NATIVE("mm.out", ATEN_OP2(mm, out), &mm_out);
  TTNN_NATIVE("addmm", ATEN_OP(addmm), &addmm);
  TTNN_NATIVE("addmm.out", ATEN_OP2(addmm, out), &addmm_out);
  TTNN_NATIVE("addmm_", ATEN_OP(addmm_), &addmm_);
  TTNN_NATIVE("bmm", ATEN_OP(bmm), &bmm);
  TTNN_NATIVE("bmm.out", ATEN_OP2(bmm, out), &bmm_out);
  TTNN_NATIVE("baddbmm", ATEN_OP(baddbmm), &baddbmm);
}

}  // namespace
}  // namespace ttnn_device::aten
