// Pointwise ops of three operands, clamp with tensor bounds and nan_to_num: lerp, addcmul, addcdiv through
// TT-NN's ternary ops, clamp / clamp_min / clamp_max (Tensor bounds) as maximum then minimum. Operands broadcast
// by expanding their views to the output's sizes (a stride-0 view is a TT-NN expand).
#include <ATen/ATen.h>
#include <ATen/ExpandUtils.h>
#include <torch/library.h>

#include <limits>

#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// `t` broadcast to `sizes`, in the math type of `dtype`.
TtTensor broadcast_operand(const at::Tensor& t, c10::IntArrayRef sizes, c10::ScalarType dtype) {
  TtTensor x = to_tt(t.expand(sizes));
  return t.scalar_type() == dtype ? x : cast(x, math_type(dtype));
}

// A CPU 0-d tensor is a number (torch allows it beside device tensors); a device tensor is an operand.
ops::Value tensor_or_number(const at::Tensor& t, c10::IntArrayRef sizes, c10::ScalarType dtype) {
  if (!core::is_ttnn(t)) return t.item().toDouble();
  return broadcast_operand(t, sizes, dtype);
}

c10::ScalarType floating_result(std::initializer_list<const at::Tensor*> tensors) {
  c10::ScalarType dtype = (*tensors.begin())->scalar_type();
  for (const at::Tensor* t : tensors) dtype = c10::promoteTypes(dtype, t->scalar_type());
  if (!at::isFloatingType(dtype)) decline("a pointwise op on integer tensors");
  math_type(dtype);
  return dtype;
}

template <typename Weight>
at::Tensor& lerp_out(const at::Tensor& self, const at::Tensor& end, const Weight& weight, at::Tensor& out) {
  constexpr bool kTensorWeight = std::is_same_v<Weight, at::Tensor>;
  if constexpr (kTensorWeight) {
    device_of({&self, &end, &weight, &out});
  } else {
    device_of({&self, &end, &out});
  }
  TORCH_CHECK(self.scalar_type() == end.scalar_type(), "expected dtype ", self.scalar_type(),
              " for `end` but got dtype ", end.scalar_type());
  const c10::ScalarType dtype = floating_result({&self, &end});
  at::DimVector sizes = at::infer_size_dimvector(self.sizes(), end.sizes());
  ops::Value w;
  if constexpr (kTensorWeight) {
    sizes = at::infer_size_dimvector(sizes, weight.sizes());
    w = tensor_or_number(weight, sizes, dtype);
  } else {
    w = weight.toDouble();
  }
  TtTensor result = ops::call1("lerp", {{"input", broadcast_operand(self, sizes, dtype)},
                                        {"end", broadcast_operand(end, sizes, dtype)}, {"weight", w}});
  write_out(out, std::move(result), sizes);
  return out;
}

template <bool kDivide>
at::Tensor& addc_out(const at::Tensor& self, const at::Tensor& t1, const at::Tensor& t2, const at::Scalar& value,
                     at::Tensor& out) {
  device_of({&self, &t1, &t2, &out});
  const c10::ScalarType dtype = floating_result({&self, &t1, &t2});
  const auto sizes = at::infer_size_dimvector(at::infer_size_dimvector(self.sizes(), t1.sizes()), t2.sizes());
  TtTensor result = ops::call1(kDivide ? "addcdiv" : "addcmul",
                               {{"input_a", broadcast_operand(self, sizes, dtype)},
                                {"input_b", broadcast_operand(t1, sizes, dtype)},
                                {"input_c", broadcast_operand(t2, sizes, dtype)}, {"value", value.toDouble()}});
  write_out(out, std::move(result), sizes);
  return out;
}

// clamp(x, lo, hi) = minimum(maximum(x, lo), hi): NaN in x or in a bound gives NaN, as torch's clamp.
at::Tensor& clamp_tensor_out(const at::Tensor& self, const std::optional<at::Tensor>& lo,
                             const std::optional<at::Tensor>& hi, at::Tensor& out) {
  TORCH_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  device_of({&self, &out});
  if (lo) device_of({&*lo, &out});
  if (hi) device_of({&*hi, &out});
  std::vector<const at::Tensor*> all = {&self};
  if (lo) all.push_back(&*lo);
  if (hi) all.push_back(&*hi);
  c10::ScalarType dtype = self.scalar_type();
  at::DimVector sizes(self.sizes().begin(), self.sizes().end());
  for (const at::Tensor* t : all) {
    dtype = c10::promoteTypes(dtype, t->scalar_type());
    sizes = at::infer_size_dimvector(sizes, t->sizes());
  }
  if (!at::isFloatingType(dtype)) decline("clamp of integer tensors");
  math_type(dtype);
  TtTensor result = broadcast_operand(self, sizes, dtype);
  if (lo) result = ops::call1("maximum", {{"input_tensor_a", result}, {"input_tensor_b", tensor_or_number(*lo, sizes, dtype)}});
  if (hi) result = ops::call1("minimum", {{"input_tensor_a", result}, {"input_tensor_b", tensor_or_number(*hi, sizes, dtype)}});
  write_out(out, std::move(result), sizes);
  return out;
}

at::Tensor& clamp_min_tensor_out(const at::Tensor& self, const at::Tensor& lo, at::Tensor& out) {
  return clamp_tensor_out(self, lo, std::nullopt, out);
}

at::Tensor& clamp_max_tensor_out(const at::Tensor& self, const at::Tensor& hi, at::Tensor& out) {
  return clamp_tensor_out(self, std::nullopt, hi, out);
}

// nan_to_num: NaN, +inf and -inf replaced (by default with 0 and the dtype's largest finite values) through
// TT-NN's isnan and comparisons feeding where.
at::Tensor& nan_to_num_out(const at::Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                           std::optional<double> neginf, at::Tensor& out) {
  device_of({&self, &out});
  const c10::ScalarType dtype = self.scalar_type();
  if (!at::isFloatingType(dtype)) decline("nan_to_num of an integer tensor");
  math_type(dtype);
  const double largest = dtype == c10::kBFloat16 ? static_cast<double>(std::numeric_limits<c10::BFloat16>::max())
                                                 : static_cast<double>(std::numeric_limits<float>::max());
  TtTensor x = to_tt(self);
  auto replace = [&](const TtTensor& where_true, double value, const TtTensor& otherwise) {
    return ops::call1("where", {{"predicate", where_true}, {"true_value", value}, {"false_value", otherwise}});
  };
  const double inf = std::numeric_limits<double>::infinity();
  TtTensor result = replace(ops::call1("isnan", {{"input_tensor", x}}), nan.value_or(0.0), x);
  result = replace(ops::call1("eq", {{"input_tensor_a", x}, {"input_tensor_b", inf}}), posinf.value_or(largest), result);
  result = replace(ops::call1("eq", {{"input_tensor_a", x}, {"input_tensor_b", -inf}}), neginf.value_or(-largest), result);
  write_out(out, std::move(result), self.sizes());
  return out;
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("lerp.Scalar_out", ATEN_OP2(lerp, Scalar_out), &lerp_out<at::Scalar>);
  TTNN_NATIVE("lerp.Tensor_out", ATEN_OP2(lerp, Tensor_out), &lerp_out<at::Tensor>);
  TTNN_NATIVE("addcmul.out", ATEN_OP2(addcmul, out), &addc_out<false>);
  TTNN_NATIVE("addcdiv.out", ATEN_OP2(addcdiv, out), &addc_out<true>);
  TTNN_NATIVE("clamp.Tensor_out", ATEN_OP2(clamp, Tensor_out), &clamp_tensor_out);
  TTNN_NATIVE("clamp_min.Tensor_out", ATEN_OP2(clamp_min, Tensor_out), &clamp_min_tensor_out);
  TTNN_NATIVE("clamp_max.Tensor_out", ATEN_OP2(clamp_max, Tensor_out), &clamp_max_tensor_out);
  TTNN_NATIVE("nan_to_num.out", ATEN_OP2(nan_to_num, out), &nan_to_num_out);
}

}  // namespace
}  // namespace ttnn_device::aten
