// Loss kernels and their gradients through TT-NN's elementwise ops, reductions, gather and scatter_add:
// mse_loss, smooth_l1_loss, log_sigmoid (binary_cross_entropy_with_logits is built of it) and nll_loss
// (cross_entropy is log_softmax then nll_loss). Each follows the CPU kernel's formulas, in fp32, rounded
// once to the inputs' dtype, as the CPU's bfloat16 kernels compute.
#include <ATen/ATen.h>
#include <ATen/core/Reduction.h>
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
  loss_dtype(self, target);  // checks the operands
  OrderedOperands in = ordered_operands({&self, &target}, DataType::FLOAT32);
  TtTensor squared = ops::call1("square", {{"input_tensor", binary("subtract", in.tensors[0], in.tensors[1])}});
  return reduced(std::move(squared), in, self, reduction);
}

// The gradient of an elementwise loss: d loss / d self from (self - target), times the incoming gradient
// (broadcast from a reduced loss) over the element count for a mean.
template <typename Slope>
at::Tensor elementwise_loss_grad(const at::Tensor& grad, const at::Tensor& self, const at::Tensor& target,
                                 int64_t reduction, Slope slope) {
  const c10::ScalarType dtype = loss_dtype(self, target);
  device_of({&grad, &self});
  if (grad.scalar_type() != dtype) decline("a loss gradient of another dtype");
  const double norm = reduction == at::Reduction::Mean ? 1.0 / static_cast<double>(self.numel()) : 1.0;
  // An unreduced loss's gradient is taken in the same memory order as self and target (one conversion each).
  const bool elementwise = core::is_ttnn(grad) && grad.sizes() == self.sizes();
  OrderedOperands in = elementwise ? ordered_operands({&self, &target, &grad}, DataType::FLOAT32)
                                   : ordered_operands({&self, &target}, DataType::FLOAT32);
  ops::Value g;
  if (elementwise) {
    g = in.tensors[2];
  } else if (!core::is_ttnn(grad)) {
    g = grad.item().toDouble();  // a CPU 0-d gradient is a number
  } else if (grad.numel() == 1) {
    g = cast(to_tt(grad.reshape(std::vector<int64_t>(self.dim(), 1))), DataType::FLOAT32);  // a reduced loss's, broadcast
  } else {
    decline("a loss gradient of another shape");
  }
  TtTensor scaled = binary("multiply", slope(binary("subtract", in.tensors[0], in.tensors[1])), norm);
  return wrap_in_order(cast(binary("multiply", scaled, g), math_type(dtype)), dtype, self.sizes(), in.order);
}

// 2 * (self - target) * grad, over the element count for a mean.
at::Tensor mse_loss_grad(const at::Tensor& grad, const at::Tensor& self, const at::Tensor& target, int64_t reduction) {
  return elementwise_loss_grad(grad, self, target, reduction, [](const TtTensor& d) { return binary("multiply", d, 2.0); });
}

// smooth L1: 0.5 * d^2 / beta where |d| < beta, else |d| - 0.5 * beta (beta 0: |d|).
at::Tensor smooth_l1_loss_kernel(const at::Tensor& self, const at::Tensor& target, int64_t reduction, double beta) {
  loss_dtype(self, target);  // checks the operands
  TORCH_CHECK(beta >= 0, "smooth_l1_loss does not support negative values for beta.");
  OrderedOperands in = ordered_operands({&self, &target}, DataType::FLOAT32);
  TtTensor d = binary("subtract", in.tensors[0], in.tensors[1]);
  TtTensor magnitude = ops::call1("abs", {{"input_tensor", d}});
  if (beta == 0.0) return reduced(std::move(magnitude), in, self, reduction);
  TtTensor quadratic = binary("multiply", ops::call1("square", {{"input_tensor", d}}), 0.5 / beta);
  TtTensor linear = binary("subtract", magnitude, 0.5 * beta);
  TtTensor elements = ops::call1("where", {{"predicate", binary("lt", magnitude, beta)}, {"true_value", quadratic},
                                           {"false_value", linear}});
  return reduced(std::move(elements), in, self, reduction);
}

at::Tensor smooth_l1_loss_grad(const at::Tensor& grad, const at::Tensor& self, const at::Tensor& target, int64_t reduction,
                               double beta) {
  return elementwise_loss_grad(grad, self, target, reduction, [&](const TtTensor& d) {
    TtTensor sign = ops::call1("sign", {{"input_tensor", d}});
    if (beta == 0.0) return sign;
    TtTensor inside = binary("lt", ops::call1("abs", {{"input_tensor", d}}), beta);
    return ops::call1("where", {{"predicate", inside}, {"true_value", binary("multiply", d, 1.0 / beta)}, {"false_value", sign}});
  });
}

// log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|)), exact for large |x| of either sign. The buffer torch's
// CPU kernel fills is not needed by the gradient here: it is returned empty.
std::tuple<at::Tensor, at::Tensor> log_sigmoid_forward(const at::Tensor& self) {
  device_of({&self});
  if (!at::isFloatingType(self.scalar_type())) decline("log_sigmoid of a non-float tensor");
  const DataType type = math_type(self.scalar_type());
  OrderedOperands in = ordered_operands({&self}, DataType::FLOAT32);
  const TtTensor& x = in.tensors[0];
  TtTensor tail = ops::call1("log1p", {{"input_tensor", ops::call1("exp", {{"input_tensor", ops::call1("neg", {{"input_tensor", ops::call1("abs", {{"input_tensor", x}})}})}})}});
  TtTensor result = binary("subtract", binary("minimum", x, 0.0), tail);
  return {wrap_in_order(cast(result, type), self.scalar_type(), self.sizes(), in.order), at::empty({0}, self.options())};
}

// d log_sigmoid(x) / dx = sigmoid(-x)
at::Tensor log_sigmoid_grad(const at::Tensor& grad, const at::Tensor& self, const at::Tensor& /*buffer*/) {
  device_of({&grad, &self});
  if (grad.scalar_type() != self.scalar_type() || grad.sizes() != self.sizes() || !at::isFloatingType(self.scalar_type())) {
    decline("a log_sigmoid gradient of another shape or dtype");
  }
  const DataType type = math_type(self.scalar_type());
  OrderedOperands in = ordered_operands({&grad, &self}, DataType::FLOAT32);
  TtTensor slope = ops::call1("sigmoid", {{"input_tensor", ops::call1("neg", {{"input_tensor", in.tensors[1]}})}});
  return wrap_in_order(cast(binary("multiply", in.tensors[0], slope), type), grad.scalar_type(), grad.sizes(), in.order);
}

// nll_loss over [M, C] rows (the class dim moved last, every other dim flattened): each row's picked
// log-probability, weighted by its class's weight, 0 for ignore_index.
struct NllRows {
  TtTensor index;    // [M, 1] INT32 class of each row (0 where ignored)
  TtTensor weights;  // [M, 1] FLOAT32 weight of each row (0 where ignored)
  int64_t rows = 0, classes = 0;
};

NllRows nll_rows(const at::Tensor& self, const at::Tensor& target, const at::Tensor* weight, int64_t ignore_index) {
  device_of({&self, &target, weight});
  if (!at::isFloatingType(self.scalar_type()) || self.dim() < 1 || self.numel() == 0) decline("an nll_loss of this input");
  if (target.scalar_type() != c10::kLong && target.scalar_type() != c10::kInt) decline("an nll_loss target that is not integer");
  NllRows r;
  r.classes = self.dim() == 1 ? self.size(0) : self.size(1);
  r.rows = self.numel() / r.classes;
  if (target.numel() != r.rows) decline("an nll_loss target of another size");
  TtTensor classes = index_words(target.reshape({r.rows, 1}));
  TtTensor kept = binary("ne", classes, static_cast<double>(ignore_index));
  r.index = ops::call1("where", {{"predicate", kept}, {"true_value", classes}, {"false_value", 0.0}});
  TtTensor kept_float = cast(kept, DataType::FLOAT32);
  if (weight) {
    TtTensor table = ops::call1("reshape", {{"input_tensor", resident_cast(*weight, DataType::FLOAT32)},
                                            {"shape", std::vector<int64_t>{r.classes, 1}}});
    TtTensor picked = ops::call1("embedding", {{"input_tensor", ops::call1("reshape", {{"input_tensor", r.index}, {"shape", std::vector<int64_t>{r.rows}}})},
                                               {"weight", table}, {"dtype", DataType::FLOAT32}});
    r.weights = binary("multiply", ops::call1("reshape", {{"input_tensor", picked}, {"shape", std::vector<int64_t>{r.rows, 1}}}), kept_float);
  } else {
    r.weights = kept_float;
  }
  return r;
}

// self as [M, C] rows, the class dim last.
at::Tensor class_rows(const at::Tensor& self) {
  if (self.dim() == 1) return self.reshape({1, self.size(0)});
  return self.movedim(1, -1).reshape({-1, self.size(1)});
}

std::tuple<at::Tensor, at::Tensor> nll_loss_forward(const at::Tensor& self, const at::Tensor& target,
                                                    const std::optional<at::Tensor>& weight, int64_t reduction,
                                                    int64_t ignore_index) {
  const at::Tensor* w = weight && weight->defined() ? &*weight : nullptr;
  const NllRows r = nll_rows(self, target, w, ignore_index);
  const c10::ScalarType dtype = self.scalar_type();
  TtTensor x = cast(to_tt(class_rows(self)), DataType::FLOAT32);
  TtTensor picked = ops::call1("gather", {{"input", x}, {"dim", int64_t{1}}, {"index", r.index}});
  TtTensor losses = ops::call1("neg", {{"input_tensor", binary("multiply", picked, r.weights)}});
  auto total = [](const TtTensor& t) {
    return ops::call1("sum", {{"input_tensor", t}, {"dim", std::vector<int64_t>{0, 1}}, {"keepdim", true}});
  };
  auto scalar = [&](const TtTensor& t) { return wrap(cast(t, math_type(dtype)), dtype, {1, 1}).reshape({}); };
  TtTensor total_weight = total(r.weights);
  if (reduction == at::Reduction::None) {
    return {wrap(cast(losses, math_type(dtype)), dtype, {r.rows}).reshape(target.sizes()), scalar(total_weight)};
  }
  TtTensor summed = total(losses);
  if (reduction == at::Reduction::Mean) summed = binary("divide", summed, total_weight);
  return {scalar(summed), scalar(total_weight)};
}

// -weight * grad at each row's class (over the total weight for a mean), 0 elsewhere: a scatter-add into zeros.
at::Tensor nll_loss_grad(const at::Tensor& grad, const at::Tensor& self, const at::Tensor& target,
                         const std::optional<at::Tensor>& weight, int64_t reduction, int64_t ignore_index,
                         const at::Tensor& total_weight) {
  const at::Tensor* w = weight && weight->defined() ? &*weight : nullptr;
  device_of({&grad, &total_weight});
  const NllRows r = nll_rows(self, target, w, ignore_index);
  const c10::ScalarType dtype = self.scalar_type();
  TtTensor g;
  if (reduction == at::Reduction::None) {
    if (grad.numel() != r.rows) decline("an unreduced nll_loss gradient of another size");
    g = cast(to_tt(grad.reshape({r.rows, 1})), DataType::FLOAT32);
  } else {
    g = cast(to_tt(grad.reshape({1, 1})), DataType::FLOAT32);
    if (reduction == at::Reduction::Mean) g = binary("divide", g, cast(to_tt(total_weight.reshape({1, 1})), DataType::FLOAT32));
  }
  TtTensor src = ops::call1("neg", {{"input_tensor", binary("multiply", r.weights, g)}});
  TtTensor zeros = ops::call1("full", {{"shape", std::vector<int64_t>{r.rows, r.classes}}, {"fill_value", 0.0},
                                       {"dtype", DataType::FLOAT32}, {"layout", Layout::ROW_MAJOR},
                                       {"device", static_cast<int64_t>(self.device().index())}});
  TtTensor rows = ops::call1("scatter_add", {{"input", zeros}, {"dim", int64_t{1}}, {"index", r.index}, {"src", src}});
  at::Tensor result = wrap(cast(rows, math_type(dtype)), dtype, {r.rows, r.classes});
  if (self.dim() == 1) return result.reshape({r.classes});
  // Back from [M, C] rows to self's layout: [N, d..., C] with the class dim moved to 1.
  std::vector<int64_t> moved = {self.size(0)};
  for (int64_t d = 2; d < self.dim(); ++d) moved.push_back(self.size(d));
  moved.push_back(r.classes);
  return result.reshape(moved).movedim(-1, 1);
}

at::Tensor& mse_loss_kernel_out(const at::Tensor& self, const at::Tensor& target, int64_t reduction, at::Tensor& out) {
  return copy_out(out, mse_loss_kernel(self, target, reduction));
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("mse_loss", ATEN_OP(mse_loss), &mse_loss_kernel);
  TTNN_NATIVE("mse_loss.out", ATEN_OP2(mse_loss, out), &mse_loss_kernel_out);
  TTNN_NATIVE("mse_loss_backward", ATEN_OP(mse_loss_backward), &mse_loss_grad);
  TTNN_NATIVE("smooth_l1_loss", ATEN_OP(smooth_l1_loss), &smooth_l1_loss_kernel);
  TTNN_NATIVE("smooth_l1_loss_backward", ATEN_OP(smooth_l1_loss_backward), &smooth_l1_loss_grad);
  TTNN_NATIVE("log_sigmoid_forward", ATEN_OP(log_sigmoid_forward), &log_sigmoid_forward);
  TTNN_NATIVE("log_sigmoid_backward", ATEN_OP(log_sigmoid_backward), &log_sigmoid_grad);
  TTNN_NATIVE("nll_loss_forward", ATEN_OP(nll_loss_forward), &nll_loss_forward);
  TTNN_NATIVE("nll_loss_backward", ATEN_OP(nll_loss_backward), &nll_loss_grad);
  // [N, C, H, W] inputs (segmentation): the same rows, the class dim moved last.
  TTNN_NATIVE("nll_loss2d_forward", ATEN_OP(nll_loss2d_forward), &nll_loss_forward);
  TTNN_NATIVE("nll_loss2d_backward", ATEN_OP(nll_loss2d_backward), &nll_loss_grad);
}

}  // namespace
}  // namespace ttnn_device::aten
