// Loss kernels and their gradients through TT-NN's elementwise ops and reductions: mse_loss, in the CPU
// kernels' order of operations (the difference first, then its square or its scaled gradient), in fp32 and
// rounded once to the inputs' dtype, as the CPU's bfloat16 kernels compute.
#include <ATen/ATen.h>
#include <ATen/core/Reduction.h>
#include <ATen/native/Resize.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

TtTensor binary(const char* op, const ops::Value& a, const ops::Value& b) {
  return ops::call1(op, {{"input_tensor_a", a}, {"input_tensor_b", b}});
}

c10::ScalarType loss_dtype(const at::Tensor& self, const at::Tensor& target) {
  device_of({&self, &target});
  if (self.scalar_type() != target.scalar_type() || !at::isFloatingType(self.scalar_type())) {
    decline("a loss of mixed or integer dtypes");
  }
  if (self.sizes() != target.sizes()) decline("a loss with a broadcast target");
  if (self.numel() == 0) decline("a loss of no elements");
  math_type(self.scalar_type());
  return self.scalar_type();
}

// Sum or mean over every element (as a 0-d tensor), or the elements themselves for reduction none.
at::Tensor reduced(TtTensor elements, const OrderedOperands& in, const at::Tensor& like, int64_t reduction) {
  const c10::ScalarType dtype = like.scalar_type();
  if (reduction == at::Reduction::None) return wrap_in_order(cast(elements, math_type(dtype)), dtype, like.sizes(), in.order);
  std::vector<int64_t> all(elements.rank());
  for (int64_t d = 0; d < elements.rank(); ++d) all[d] = d;
  TtTensor total = ops::call1(reduction == at::Reduction::Mean ? "mean" : "sum",
                              {{"input_tensor", elements}, {"dim", all}, {"keepdim", true}});
  return wrap(cast(total, math_type(dtype)), dtype, std::vector<int64_t>(elements.rank(), 1)).reshape({});
}

at::Tensor mse_loss_kernel(const at::Tensor& self, const at::Tensor& target, int64_t reduction) {
  const c10::ScalarType dtype = loss_dtype(self, target);
  OrderedOperands in = ordered_operands({&self, &target}, DataType::FLOAT32);
  TtTensor squared = ops::call1("square", {{"input_tensor", binary("subtract", in.tensors[0], in.tensors[1])}});
  return reduced(std::move(squared), in, self, reduction);
}

// 2 * (self - target) * grad, over the element count for a mean.
at::Tensor mse_loss_grad(const at::Tensor& grad, const at::Tensor& self, const at::Tensor& target, int64_t reduction) {
  const c10::ScalarType dtype = loss_dtype(self, target);
  device_of({&grad, &self});
  if (grad.scalar_type() != dtype) decline("a loss gradient of another dtype");
  const double norm = reduction == at::Reduction::Mean ? 2.0 / static_cast<double>(self.numel()) : 2.0;
  OrderedOperands in = ordered_operands({&self, &target}, DataType::FLOAT32);
  ops::Value g;
  if (!core::is_ttnn(grad)) {
    g = grad.item().toDouble();  // a CPU 0-d gradient is a number
  } else if (grad.numel() == 1 && grad.sizes() != self.sizes()) {
    g = cast(to_tt(grad.reshape(std::vector<int64_t>(self.dim(), 1))), DataType::FLOAT32);  // a reduced loss's, broadcast
  } else if (grad.sizes() == self.sizes()) {
    g = ordered_operands({&self, &grad}, DataType::FLOAT32).tensors[1];
  } else {
    decline("a loss gradient of another shape");
  }
  TtTensor scaled = binary("multiply", binary("subtract", in.tensors[0], in.tensors[1]), norm);
  return wrap_in_order(cast(binary("multiply", scaled, g), math_type(dtype)), dtype, self.sizes(), in.order);
}

at::Tensor& mse_loss_kernel_out(const at::Tensor& self, const at::Tensor& target, int64_t reduction, at::Tensor& out) {
  at::Tensor value = mse_loss_kernel(self, target, reduction);
  device_of({&out});
  at::native::resize_output(out, value.sizes());
  out.copy_(value);
  return out;
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("mse_loss", ATEN_OP(mse_loss), &mse_loss_kernel);
  TTNN_NATIVE("mse_loss.out", ATEN_OP2(mse_loss, out), &mse_loss_kernel_out);
  TTNN_NATIVE("mse_loss_backward", ATEN_OP(mse_loss_backward), &mse_loss_grad);
}

}  // namespace
}  // namespace ttnn_device::aten
