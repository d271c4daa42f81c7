// The reference device's matmul and linear; tt numerics as ops/sim/fidelity.h says.
#include <ATen/ATen.h>

#include "ops/dispatch.h"
#include "ops/numerics.h"
#include "ops/sim/fidelity.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

// An operand's values as float32 with only the bits `mask` keeps, transposed when the call says so.
at::Tensor operand_values(const at::Tensor& values, uint32_t mask, bool transposed) {
  at::Tensor v = values.scalar_type() == c10::kFloat ? values : values.to(c10::kFloat);
  if (mask != kAllBits) v = cut_bits(v, mask);
  return transposed ? v.transpose(-1, -2) : v;
}

// result + bias, in place when the bias broadcasts into the result's shape.
void add_bias(at::Tensor& result, const at::Tensor& bias) {
  if (c10::IntArrayRef(at::infer_size(result.sizes(), bias.sizes())) == result.sizes()) {
    result.add_(bias);
  } else {
    result = result + bias;
  }
}

// x @ w (+ bias). A bias of w's output width on rows of x is summed inside the product (addmm), as the
// CPU's linear does: one pass over the result fewer, and the CPU's rounding order.
at::Tensor matmul_plus(const at::Tensor& x, const at::Tensor& w, const at::Tensor* bias) {
  const bool fused = bias && w.dim() == 2 && x.dim() >= 2 && bias->numel() == w.size(1) && w.size(1) > 0 &&
                     (bias->dim() == 1 || (bias->dim() == 2 && bias->size(0) == 1));
  if (fused) {
    std::vector<int64_t> sizes(x.sizes().begin(), x.sizes().end());
    sizes.back() = w.size(1);
    const int64_t rows = c10::multiply_integers(x.sizes().begin(), x.sizes().end() - 1);  // K may be 0
    return at::addmm(bias->reshape({w.size(1)}), x.reshape({rows, x.size(-1)}), w).view(sizes);
  }
  at::Tensor result = at::matmul(x, w);
  if (bias) add_bias(result, *bias);
  return result;
}

at::Tensor product(const Args& args, const at::Tensor* bias = nullptr) {
  const TtTensor& ta = args.tensor("input_tensor_a");
  const TtTensor& tb = args.tensor("input_tensor_b");
  const bool transpose_a = args.flag("transpose_a", false), transpose_b = args.flag("transpose_b", false);
  // in0 is untilized and cut in one pass (read_cut); in1 is read through weight_values: a weight read again
  // at unchanged contents is decoded and cut once.
  auto activations = [&](uint32_t mask) {
    if (mask == kAllBits) return operand_values(read(ta), mask, transpose_a);
    at::Tensor cut = read_cut(ta, mask);
    return transpose_a ? cut.transpose(-1, -2) : cut;
  };
  auto weights = [&](uint32_t mask) {
    at::Tensor w = weight_values(tb, mask);
    return transpose_b ? w.transpose(-1, -2) : w;
  };
  return biased_product(
      matmul_fidelity(ta.dtype, tb.dtype), activations, weights,
      [bias](const at::Tensor& x, const at::Tensor& w, bool with_bias) {
        return matmul_plus(x, w, with_bias ? bias : nullptr);
      },
      [bias](at::Tensor& result) {
        if (bias) add_bias(result, *bias);
      });
}

std::vector<TtTensor> matmul_impl(const Args& args) {
  const TtTensor& a = args.tensor("input_tensor_a");
  return {store(product(args), a.device(), Layout::TILE, output_dtype(args, a.dtype))};
}

std::vector<TtTensor> linear_impl(const Args& args) {
  const TtTensor& a = args.tensor("input_tensor_a");
  at::Tensor bias;
  if (auto b = args.optional_tensor("bias")) bias = weight_values(*b, kAllBits);
  at::Tensor result = product(args, bias.defined() ? &bias : nullptr);
  return {store(result, a.device(), Layout::TILE, output_dtype(args, a.dtype))};
}

const bool registered = [] {
  register_impls("sim", {{"matmul", matmul_impl}, {"linear", linear_impl}});
  return true;
}();

}  // namespace
}  // namespace ttnn_device::ops::sim
