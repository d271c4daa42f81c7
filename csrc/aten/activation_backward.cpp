// Backward kernels of the activations and of softmax: the input gradient from the output gradient and
// the forward's input or output, through TT-NN's elementwise ops (and its gelu_bw), computed in the
// gradient's memory order, so a channels-last activation's gradient stays channels-last. Each follows the
// CPU kernel's formula and order of operations in fp32 (as the CPU's bfloat16 kernels compute), rounded once
// to the gradient's dtype, so results match the CPU's to the rounding.
#include <ATen/ATen.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

TtTensor binary(const char* op, const ops::Value& a, const ops::Value& b) {
  return ops::call1(op, {{"input_tensor_a", a}, {"input_tensor_b", b}});
}
TtTensor unary(const char* op, const TtTensor& x) { return ops::call1(op, {{"input_tensor", x}}); }
TtTensor tiled(const TtTensor& t) {
  return t.layout == Layout::TILE ? t : ops::call1("to_layout", {{"tensor", t}, {"layout", Layout::TILE}});
}

c10::ScalarType floating(const at::Tensor& grad, const at::Tensor& other) {
  device_of({&grad, &other});
  if (grad.scalar_type() != other.scalar_type() || !at::isFloatingType(grad.scalar_type())) {
    decline("an activation gradient of mixed or integer dtypes");
  }
  if (grad.sizes() != other.sizes()) decline("an activation gradient of broadcast operands");
  math_type(grad.scalar_type());
  return grad.scalar_type();
}

// grad_input = f(grad, other) elementwise, in grad's memory order.
template <typename Formula>
at::Tensor elementwise_grad(const at::Tensor& grad, const at::Tensor& other, Formula formula) {
  const c10::ScalarType dtype = floating(grad, other);
  OrderedOperands in = ordered_operands({&grad, &other}, DataType::FLOAT32);
  return wrap_in_order(cast(formula(in.tensors[0], in.tensors[1]), math_type(dtype)), dtype, grad.sizes(), in.order);
}

// self <= threshold gives 0 (NaN passes the gradient, as on the CPU).
at::Tensor threshold_grad(const at::Tensor& grad, const at::Tensor& self, const at::Scalar& threshold) {
  return elementwise_grad(grad, self, [&](const TtTensor& g, const TtTensor& x) {
    return ops::call1("where", {{"predicate", binary("le", x, threshold.toDouble())}, {"true_value", 0.0}, {"false_value", g}});
  });
}

// grad * (1 - y) * y, y = sigmoid(x)
at::Tensor sigmoid_grad(const at::Tensor& grad, const at::Tensor& y) {
  return elementwise_grad(grad, y, [](const TtTensor& g, const TtTensor& out) {
    return binary("multiply", binary("multiply", g, binary("add", unary("neg", out), 1.0)), out);
  });
}

// grad * (1 - y * y), y = tanh(x)
at::Tensor tanh_grad(const at::Tensor& grad, const at::Tensor& y) {
  return elementwise_grad(grad, y, [](const TtTensor& g, const TtTensor& out) {
    return binary("multiply", g, binary("add", unary("neg", unary("square", out)), 1.0));
  });
}

// The erf form is TT-NN's gelu_bw. The tanh form, 0.5 * x * (1 + t) with t = tanh(k * (x + c * x^3)), has
// the derivative 0.5 * (1 + t) + 0.5 * x * (1 - t^2) * k * (1 + 3c * x^2), composed as the CPU kernel does.
at::Tensor gelu_grad(const at::Tensor& grad, const at::Tensor& self, c10::string_view approximate) {
  if (approximate == "none") {
    return elementwise_grad(grad, self, [](const TtTensor& g, const TtTensor& x) {
      return ops::call1("gelu_bw", {{"grad_tensor", tiled(g)}, {"input_tensor", tiled(x)}});
    });
  }
  if (approximate != "tanh") decline("a gelu gradient of an unknown form");
  return elementwise_grad(grad, self, [](const TtTensor& g, const TtTensor& x) {
    constexpr double kBeta = 0.7978845608028654;  // sqrt(2 / pi)
    constexpr double kKappa = 0.044715;
    const TtTensor x_sq = unary("square", x);
    const TtTensor inner = binary("multiply", binary("add", x, binary("multiply", binary("multiply", x_sq, x), kKappa)), kBeta);
    const TtTensor t = unary("tanh", inner);
    const TtTensor left = binary("multiply", binary("add", t, 1.0), 0.5);
    const TtTensor slope = binary("multiply", binary("add", binary("multiply", x_sq, 3.0 * kKappa), 1.0), kBeta);
    const TtTensor right = binary("multiply", binary("multiply", binary("multiply", x, 0.5), binary("add", unary("neg", unary("square", t)), 1.0)), slope);
    return binary("multiply", g, binary("add", left, right));
  });
}

// Softmax gradients along `dim`, on TILE tensors in logical order: y * (g - sum(g * y)) and
// g - exp(y) * sum(g) for log_softmax.
template <bool kLog>
at::Tensor softmax_grad(const at::Tensor& grad, const at::Tensor& output, int64_t dim, c10::ScalarType input_dtype) {
  const c10::ScalarType dtype = floating(grad, output);
  if (input_dtype != dtype) decline("a softmax gradient into another dtype");
  if (grad.dim() == 0 || grad.numel() == 0) decline("a softmax gradient of a 0-d or empty tensor");
  dim = c10::maybe_wrap_dim(dim, grad.dim());
  const TtTensor g = cast(to_tt_in(grad, Layout::TILE), DataType::FLOAT32);
  const TtTensor y = cast(to_tt_in(output, Layout::TILE), DataType::FLOAT32);
  auto sum = [&](const TtTensor& t) {
    return ops::call1("sum", {{"input_tensor", t}, {"dim", std::vector<int64_t>{dim}}, {"keepdim", true}});
  };
  TtTensor result = kLog ? binary("subtract", g, binary("multiply", unary("exp", y), sum(g)))
                         : binary("multiply", binary("subtract", g, sum(binary("multiply", g, y))), y);
  return wrap(cast(result, math_type(dtype)), dtype, grad.sizes());
}

at::Tensor& threshold_grad_out(const at::Tensor& grad, const at::Tensor& self, const at::Scalar& threshold, at::Tensor& out) {
  return copy_out(out, threshold_grad(grad, self, threshold));
}
at::Tensor& sigmoid_grad_out(const at::Tensor& grad, const at::Tensor& y, at::Tensor& out) {
  return copy_out(out, sigmoid_grad(grad, y));
}
at::Tensor& tanh_grad_out(const at::Tensor& grad, const at::Tensor& y, at::Tensor& out) {
  return copy_out(out, tanh_grad(grad, y));
}
at::Tensor& gelu_grad_out(const at::Tensor& grad, const at::Tensor& self, c10::string_view approximate, at::Tensor& out) {
  return copy_out(out, gelu_grad(grad, self, approximate));
}
template <bool kLog>
at::Tensor& softmax_grad_out(const at::Tensor& grad, const at::Tensor& output, int64_t dim, c10::ScalarType input_dtype,
                                at::Tensor& out) {
  return copy_out(out, softmax_grad<kLog>(grad, output, dim, input_dtype));
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("threshold_backward", ATEN_OP(threshold_backward), &threshold_grad);
  TTNN_NATIVE("threshold_backward.grad_input", ATEN_OP2(threshold_backward, grad_input), &threshold_grad_out);
  TTNN_NATIVE("sigmoid_backward", ATEN_OP(sigmoid_backward), &sigmoid_grad);
  TTNN_NATIVE("sigmoid_backward.grad_input", ATEN_OP2(sigmoid_backward, grad_input), &sigmoid_grad_out);
  TTNN_NATIVE("tanh_backward", ATEN_OP(tanh_backward), &tanh_grad);
  TTNN_NATIVE("tanh_backward.grad_input", ATEN_OP2(tanh_backward, grad_input), &tanh_grad_out);
  TTNN_NATIVE("gelu_backward", ATEN_OP(gelu_backward), &gelu_grad);
  TTNN_NATIVE("gelu_backward.grad_input", ATEN_OP2(gelu_backward, grad_input), &gelu_grad_out);
  TTNN_NATIVE("_softmax_backward_data", ATEN_OP(_softmax_backward_data), &softmax_grad<false>);
  TTNN_NATIVE("_softmax_backward_data.out", ATEN_OP2(_softmax_backward_data, out), &softmax_grad_out<false>);
  TTNN_NATIVE("_log_softmax_backward_data", ATEN_OP(_log_softmax_backward_data), &softmax_grad<true>);
  TTNN_NATIVE("_log_softmax_backward_data.out", ATEN_OP2(_log_softmax_backward_data, out), &softmax_grad_out<true>);
}

}  // namespace
}  // namespace ttnn_device::aten
