// Reduction kernels: sum, mean, amax, amin over dims (all dims when none are given), computed in the
// input's memory order so channels-last inputs are not permuted first.
#include <ATen/ATen.h>
#include <ATen/native/Resize.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

enum class Dest { kNew, kOut };

at::Tensor reduce(const char* op, const at::Tensor& x, at::OptionalIntArrayRef dims_in, bool keepdim,
                  std::optional<c10::ScalarType> dtype, Dest dest, const at::Tensor* out) {
  device_of({&x, out});
  const c10::ScalarType out_dtype = dtype.value_or(dest == Dest::kOut ? out->scalar_type() : x.scalar_type());
  if (!at::isFloatingType(x.scalar_type()) || out_dtype != x.scalar_type()) {
    decline("a reduction of integers or into another dtype");  // torch sums integers into int64
  }
  math_type(x.scalar_type());
  if (x.dim() == 0 || x.numel() == 0) decline("a reduction of a 0-d or empty tensor");
  std::vector<int64_t> dims;
  if (dims_in.has_value() && !dims_in->empty()) {
    for (int64_t d : *dims_in) dims.push_back(c10::maybe_wrap_dim(d, x.dim()));
  } else {
    for (int64_t d = 0; d < x.dim(); ++d) dims.push_back(d);
  }
  const auto order = memory_order(x);
  std::vector<int64_t> memory_dims;
  for (int64_t d : dims) memory_dims.push_back(std::find(order.begin(), order.end(), d) - order.begin());
  TtTensor t = to_tt(in_order(x, x.dim(), order));
  TtTensor result = ops::call1(op, {{"input_tensor", t}, {"dim", memory_dims}, {"keepdim", true}});
  std::vector<int64_t> kept(x.sizes().begin(), x.sizes().end());
  for (int64_t d : dims) kept[d] = 1;
  at::Tensor value = wrap_in_order(result, out_dtype, kept, order);
  if (!keepdim) {
    std::vector<int64_t> squeezed;
    for (int64_t d = 0; d < x.dim(); ++d) {
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) squeezed.push_back(x.size(d));
    }
    value = is_identity(order) ? value.view(squeezed) : value.reshape(squeezed);
  }
  if (dest == Dest::kNew) return value;
  at::native::resize_output(*out, value.sizes());
  out->copy_(value);
  return *out;
}

at::Tensor sum_dim(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype) {
  return reduce("sum", x, dims, keepdim, dtype, Dest::kNew, nullptr);
}
at::Tensor& sum_out(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype,
                    at::Tensor& out) {
  reduce("sum", x, dims, keepdim, dtype, Dest::kOut, &out);
  return out;
}
at::Tensor sum_all(const at::Tensor& x, std::optional<c10::ScalarType> dtype) {
  return reduce("sum", x, std::nullopt, false, dtype, Dest::kNew, nullptr);
}
at::Tensor mean_dim(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype) {
  return reduce("mean", x, dims, keepdim, dtype, Dest::kNew, nullptr);
}
at::Tensor& mean_out(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype,
                     at::Tensor& out) {
  reduce("mean", x, dims, keepdim, dtype, Dest::kOut, &out);
  return out;
}
at::Tensor amax(const at::Tensor& x, c10::IntArrayRef dims, bool keepdim) {
  return reduce("max", x, dims, keepdim, std::nullopt, Dest::kNew, nullptr);
}
at::Tensor& amax_out(const at::Tensor& x, c10::IntArrayRef dims, bool keepdim, at::Tensor& out) {
  reduce("max", x, dims, keepdim, std::nullopt, Dest::kOut, &out);
  return out;
}
at::Tensor amin(const at::Tensor& x, c10::IntArrayRef dims, bool keepdim) {
  return reduce("min", x, dims, keepdim, std::nullopt, Dest::kNew, nullptr);
}
at::Tensor& amin_out(const at::Tensor& x, c10::IntArrayRef dims, bool keepdim, at::Tensor& out) {
  reduce("min", x, dims, keepdim, std::nullopt, Dest::kOut, &out);
  return out;
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("sum.dim_IntList", ATEN_OP2(sum, dim_IntList), &sum_dim);
  TTNN_NATIVE("sum.IntList_out", ATEN_OP2(sum, IntList_out), &sum_out);
  TTNN_NATIVE("sum", ATEN_OP(sum), &sum_all);
  TTNN_NATIVE("mean.dim", ATEN_OP2(mean, dim), &mean_dim);
  TTNN_NATIVE("mean.out", ATEN_OP2(mean, out), &mean_out);
  TTNN_NATIVE("amax", ATEN_OP(amax), &amax);
  TTNN_NATIVE("amax.out", ATEN_OP2(amax, out), &amax_out);
  TTNN_NATIVE("amin", ATEN_OP(amin), &amin);
  TTNN_NATIVE("amin.out", ATEN_OP2(amin, out), &amin_out);
}

}  // namespace
}  // namespace ttnn_device::aten
