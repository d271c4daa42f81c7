// Normalisation kernels: softmax, log_softmax, weight norm, layer norm (and its gradient), group norm.
// Batch norm has its own file (batch_norm.cpp).
#include <ATen/ATen.h>
#include <ATen/ops/layer_norm_native.h>
#include <torch/library.h>

#include <memory>
#include <tuple>
#include <utility>

#include "aten/gradient_recorded.h"
#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

TtTensor call_binary(const char* op, const ops::Value& a, const ops::Value& b) {
  return ops::call1(op, {{"input_tensor_a", a}, {"input_tensor_b", b}});
}

void check_float(const at::Tensor& x) {
  if (x.scalar_type() != c10::kFloat && x.scalar_type() != c10::kBFloat16) decline("normalising a non-float tensor");
}

// A TILE tensor of x for an op along `dim`, and the dim in it: along the last dim the rows may be factored
// as the input is stored (rows_as_stored), so no re-tiling is needed.
std::pair<TtTensor, int64_t> along_dim(const at::Tensor& x, int64_t dim) {
  dim = c10::maybe_wrap_dim(dim, x.dim());
  if (dim != x.dim() - 1) return {to_tt_in(x, Layout::TILE), dim};
  TtTensor t = rows_as_stored(x, 1);
  const int64_t last = t.rank() - 1;
  return {std::move(t), last};
}

at::Tensor softmax(const at::Tensor& x, int64_t dim, bool half_to_float) {
  device_of({&x});
  check_float(x);
  if (half_to_float) decline("softmax with half_to_float");
  if (x.dim() == 0) decline("softmax of a 0-d tensor");
  const auto [t, along] = along_dim(x, dim);
  return wrap(ops::call1("softmax", {{"input_tensor", t}, {"dim", along}, {"numeric_stable", true}}), x.scalar_type(),
              x.sizes());
}

// softmax whose fully masked rows (all -inf) give 0 rather than NaN, as scaled_dot_product_attention needs.
at::Tensor safe_softmax(const at::Tensor& x, int64_t dim, std::optional<c10::ScalarType> dtype) {
  device_of({&x});
  check_float(x);
  if (dtype && *dtype != x.scalar_type()) decline("_safe_softmax into another dtype");
  dim = c10::maybe_wrap_dim(dim, std::max<int64_t>(x.dim(), 1));
  if (x.dim() == 0 || x.numel() == 0) decline("_safe_softmax of a 0-d or empty tensor");
  TtTensor t = to_tt_in(x, Layout::TILE);
  TtTensor y = ops::call1("softmax", {{"input_tensor", t}, {"dim", dim}, {"numeric_stable", true}});
  TtTensor row_max = ops::call1("max", {{"input_tensor", t}, {"dim", std::vector<int64_t>{dim}}, {"keepdim", true}});
  TtTensor masked = ops::call1("eq", {{"input_tensor_a", row_max}, {"input_tensor_b", -std::numeric_limits<double>::infinity()}});
  TtTensor result = ops::call1("where", {{"predicate", masked}, {"true_value", 0.0}, {"false_value", y}});
  if (result.shape != y.shape) result = ops::call1("expand", {{"input_tensor", result}, {"output_shape", y.shape}});
  return wrap(result, x.scalar_type(), x.sizes());
}

// log_softmax through TT-NN's moreh_logsoftmax, which computes the shifted form x - max - log(sum(exp(x -
// max))) in one op: log(softmax(x)) would underflow for large negative logits.
at::Tensor log_softmax(const at::Tensor& x, int64_t dim, bool half_to_float) {
  device_of({&x});
  check_float(x);
  if (half_to_float) decline("log_softmax with half_to_float");
  if (x.dim() == 0 || x.numel() == 0) decline("log_softmax of a 0-d or empty tensor");
  const auto [t, along] = along_dim(x, dim);
  return wrap(ops::call1("moreh_logsoftmax", {{"input_tensor", t}, {"dim", along}}), x.scalar_type(), x.sizes());
}

// weight norm: w = v * g / ||v||, the norm over every dim but `dim` (kept as size 1, as g is shaped).
std::tuple<at::Tensor, at::Tensor> weight_norm_interface(const at::Tensor& v, const at::Tensor& g, int64_t dim) {
  device_of({&v, &g});
  check_float(v);
  if (g.scalar_type() != v.scalar_type()) decline("weight norm with g of another dtype");
  if (v.dim() == 0 || v.numel() == 0) decline("weight norm of a 0-d or empty tensor");
  dim = c10::maybe_wrap_dim(dim, v.dim());
  std::vector<int64_t> dims, norm_sizes(v.dim(), 1);
  for (int64_t d = 0; d < v.dim(); ++d) {
    if (d != dim) dims.push_back(d);
  }
  norm_sizes[dim] = v.size(dim);
  TtTensor t = to_tt(v);
  TtTensor squares = ops::call1("square", {{"input_tensor", t}});
  TtTensor norm = ops::call1("sqrt", {{"input_tensor", ops::call1("sum", {{"input_tensor", squares}, {"dim", dims}, {"keepdim", true}})}});
  TtTensor gain = ops::call1("reshape", {{"input_tensor", to_tt(g)}, {"shape", norm_sizes}});
  TtTensor w = call_binary("multiply", t, call_binary("divide", gain, norm));
  return {wrap(w, v.scalar_type(), v.sizes()), wrap(norm, v.scalar_type(), norm_sizes)};
}

// layer norm over the trailing `normalized_shape` dims: TT-NN normalises the last dim, so those dims are
// flattened into one. `rows` is the input as TT-NN normalises it ([..., inner]), `out` TT-NN's result.
struct LayerNormRows {
  TtTensor rows, out;
};
LayerNormRows layer_norm_rows(const at::Tensor& x, c10::IntArrayRef normalized, const std::optional<at::Tensor>& weight,
                              const std::optional<at::Tensor>& bias, double eps) {
  device_of({&x, weight ? &*weight : nullptr, bias ? &*bias : nullptr});
  check_float(x);
  if (normalized.empty()) decline("layer norm over no dims (torch raises)");
  const int64_t axis = x.dim() - static_cast<int64_t>(normalized.size());
  if (axis < 0 || x.numel() == 0) decline("layer norm of an empty or too small tensor");
  for (const auto* p : {weight ? &*weight : nullptr, bias ? &*bias : nullptr}) {
    if (p && p->defined() && p->scalar_type() != x.scalar_type()) decline("layer norm with parameters of another dtype");
  }
  const int64_t inner = c10::multiply_integers(normalized);
  const int64_t outer = x.numel() / inner;
  // One normalised dim: the rows as the input is stored; more: flattened into one.
  TtTensor t = normalized.size() == 1 ? rows_as_stored(x, 1) : to_tt_in(x, Layout::TILE);
  if (normalized.size() != 1) {
    t = ops::call1("reshape", {{"input_tensor", t}, {"shape", std::vector<int64_t>{outer, inner}}});
  }
  ops::Args args{{"input_tensor", t}, {"epsilon", eps}};
  if (weight && weight->defined()) args.set("weight", to_tt(weight->reshape({inner})));
  if (bias && bias->defined()) args.set("bias", to_tt(bias->reshape({inner})));
  return {t, ops::call1("layer_norm", args)};
}

// native_layer_norm: the normalised values and the mean and rstd (which backward needs), from TT-NN's
// reductions.
std::tuple<at::Tensor, at::Tensor, at::Tensor> native_layer_norm(const at::Tensor& x, c10::SymIntArrayRef shape_sym,
                                                                 const std::optional<at::Tensor>& weight,
                                                                 const std::optional<at::Tensor>& bias, double eps) {
  const auto normalized = C10_AS_INTARRAYREF_SLOW(shape_sym);
  const auto [t, out] = layer_norm_rows(x, normalized, weight, bias, eps);
  const std::vector<int64_t> along = {t.rank() - 1};
  // The statistics (which the gradient needs) are computed in fp32 and rounded once to the input's dtype,
  // as the CPU computes them: rounding var, var + eps and the rsqrt each to bfloat16 doubles the gradient's
  // error against the CPU's.
  const TtTensor wide = cast(t, DataType::FLOAT32);
  const DataType stat_type = t.dtype;
  TtTensor mean = cast(ops::call1("mean", {{"input_tensor", wide}, {"dim", along}, {"keepdim", true}}), stat_type);
  TtTensor var = ops::call1("var", {{"input_tensor", wide}, {"dim", along}, {"keepdim", true}, {"correction", int64_t{0}}});
  TtTensor rstd = cast(ops::call1("rsqrt", {{"input_tensor", call_binary("add", var, eps)}}), stat_type);
  std::vector<int64_t> stat_sizes(x.sizes().begin(), x.sizes().end());
  for (int64_t d = x.dim() - static_cast<int64_t>(normalized.size()); d < x.dim(); ++d) stat_sizes[d] = 1;
  return {wrap(out, x.scalar_type(), x.sizes()), wrap(mean, x.scalar_type(), stat_sizes),
          wrap(rstd, x.scalar_type(), stat_sizes)};
}

// layer_norm where no gradient is recorded (see layer_norm_autograd): the normalised values alone. The
// statistics native_layer_norm also returns cost two more passes over the input, for a backward that
// will not run.
at::Tensor layer_norm_values(const at::Tensor& x, c10::SymIntArrayRef shape_sym, const std::optional<at::Tensor>& weight,
                             const std::optional<at::Tensor>& bias, double eps, bool /*cudnn_enable*/) {
  return wrap(layer_norm_rows(x, C10_AS_INTARRAYREF_SLOW(shape_sym), weight, bias, eps).out, x.scalar_type(),
              x.sizes());
}

// aten::layer_norm at the autograd key: where a gradient may be recorded (backward or forward mode) it is
// PyTorch's own composite (native_layer_norm, whose statistics backward saves); elsewhere it goes below
// autograd to layer_norm_values. Without this kernel PyTorch always decomposes layer_norm into
// native_layer_norm.
at::Tensor layer_norm_autograd(const at::Tensor& x, c10::SymIntArrayRef shape, const std::optional<at::Tensor>& weight,
                               const std::optional<at::Tensor>& bias, double eps, bool cudnn_enable) {
  if (gradient_recorded({&x, optional_ptr(weight), optional_ptr(bias)})) {
    return at::native::layer_norm_symint(x, shape, weight, bias, eps, cudnn_enable);
  }
  at::AutoDispatchBelowADInplaceOrView below_autograd;
  return at::_ops::layer_norm::call(x, shape, weight, bias, eps, cudnn_enable);
}

// layer norm's gradient over rows of the normalised elements (as the forward flattens them), in fp32, with
// the CPU kernel's formula (so saved statistics rounded to bfloat16 enter it as they enter the CPU's):
// gw = g * weight, ds = sum(gw * x), db = sum(gw) per row; dx = rstd * gw + b * x + c with
// b = (db * mean - ds) * rstd^3 / N and c = -b * mean - db * rstd / N; dweight = sum over rows of
// g * (x - mean) * rstd, dbias = sum over rows of g.
std::tuple<at::Tensor, at::Tensor, at::Tensor> native_layer_norm_backward(
    const at::Tensor& grad, const at::Tensor& x, c10::SymIntArrayRef shape_sym, const at::Tensor& mean_in,
    const at::Tensor& rstd_in, const std::optional<at::Tensor>& weight, const std::optional<at::Tensor>& bias,
    std::array<bool, 3> mask) {
  const at::Tensor* w = weight && weight->defined() ? &*weight : nullptr;
  const at::Tensor* b = bias && bias->defined() ? &*bias : nullptr;
  device_of({&grad, &x, &mean_in, &rstd_in, w, b});
  check_float(x);
  if (grad.scalar_type() != x.scalar_type() || grad.sizes() != x.sizes()) decline("a layer norm gradient of another dtype or shape");
  const auto normalized = C10_AS_INTARRAYREF_SLOW(shape_sym);
  const int64_t inner = c10::multiply_integers(normalized);
  if (x.numel() == 0 || inner == 0 || static_cast<int64_t>(normalized.size()) > x.dim()) {
    decline("a layer norm gradient of an empty or too small tensor");
  }
  const int64_t outer = x.numel() / inner;
  auto rows = [&](const at::Tensor& t, int64_t width) {
    TtTensor r = cast(to_tt_in(t, Layout::TILE), DataType::FLOAT32);
    return ops::call1("reshape", {{"input_tensor", r}, {"shape", std::vector<int64_t>{outer, width}}});
  };
  TtTensor g = rows(grad, inner), input = rows(x, inner), mean = rows(mean_in, 1), rstd = rows(rstd_in, 1);
  TtTensor xhat = call_binary("multiply", call_binary("subtract", input, mean), rstd);
  auto column_sum = [&](const TtTensor& t) {
    return ops::call1("sum", {{"input_tensor", t}, {"dim", std::vector<int64_t>{0}}, {"keepdim", true}});
  };
  auto row_sum = [&](const TtTensor& t) {
    return ops::call1("sum", {{"input_tensor", t}, {"dim", std::vector<int64_t>{1}}, {"keepdim", true}});
  };
  const DataType type = math_type(x.scalar_type());
  at::Tensor grad_input, grad_weight, grad_bias;
  if (mask[0]) {
    auto weight_row = [&] {
      return ops::call1("reshape", {{"input_tensor", resident_cast(*w, DataType::FLOAT32)}, {"shape", std::vector<int64_t>{1, inner}}});
    };
    TtTensor gw = w ? call_binary("multiply", g, weight_row()) : g;
    const double n = static_cast<double>(inner);
    TtTensor ds = row_sum(call_binary("multiply", gw, input)), db = row_sum(gw);
    TtTensor rstd_cubed = call_binary("multiply", call_binary("multiply", rstd, rstd), rstd);
    TtTensor b = call_binary("multiply", call_binary("multiply", call_binary("subtract", call_binary("multiply", db, mean), ds), rstd_cubed), 1.0 / n);
    TtTensor c = call_binary("subtract", ops::call1("neg", {{"input_tensor", call_binary("multiply", b, mean)}}),
                             call_binary("multiply", call_binary("multiply", db, rstd), 1.0 / n));
    TtTensor dx = call_binary("add", call_binary("add", call_binary("multiply", gw, rstd), call_binary("multiply", input, b)), c);
    grad_input = wrap(cast(dx, type), x.scalar_type(), x.sizes());
  }
  if (mask[1] && w) {
    grad_weight = wrap(cast(column_sum(call_binary("multiply", g, xhat)), math_type(w->scalar_type())), w->scalar_type(), w->sizes());
  }
  if (mask[2] && b) grad_bias = wrap(cast(column_sum(g), math_type(b->scalar_type())), b->scalar_type(), b->sizes());
  return {grad_input, grad_weight, grad_bias};
}

// group norm: statistics over each group's channels and positions (TT-NN's mean/var reductions), then
// the per-channel affine, all on [N, G, C/G * HxW] views of the input.
std::tuple<at::Tensor, at::Tensor, at::Tensor> native_group_norm(
    const at::Tensor& x, const std::optional<at::Tensor>& weight, const std::optional<at::Tensor>& bias,
    c10::SymInt n_sym, c10::SymInt c_sym, c10::SymInt hw_sym, int64_t groups, double eps) {
  device_of({&x, weight ? &*weight : nullptr, bias ? &*bias : nullptr});
  check_float(x);
  const int64_t n = n_sym.expect_int(), c = c_sym.expect_int(), hw = hw_sym.expect_int();
  if (x.numel() == 0 || groups <= 0 || c % groups != 0) decline("an empty or ungroupable group norm");
  for (const auto* p : {weight ? &*weight : nullptr, bias ? &*bias : nullptr}) {
    if (p && p->defined() && p->scalar_type() != x.scalar_type()) decline("group norm with parameters of another dtype");
  }
  auto reshape = [](const TtTensor& t, std::vector<int64_t> shape) {
    return ops::call1("reshape", {{"input_tensor", t}, {"shape", std::move(shape)}});
  };
  // Statistics and normalisation in FLOAT32, rounded once to the input's dtype (as torch does for bfloat16).
  const DataType type = math_type(x.scalar_type());
  TtTensor grouped = reshape(cast(to_tt(x), DataType::FLOAT32), {n, groups, (c / groups) * hw});
  const std::vector<int64_t> last = {2};
  TtTensor mean = ops::call1("mean", {{"input_tensor", grouped}, {"dim", last}, {"keepdim", true}});
  TtTensor var = ops::call1("var", {{"input_tensor", grouped}, {"dim", last}, {"keepdim", true}, {"correction", int64_t{0}}});
  TtTensor rstd = ops::call1("rsqrt", {{"input_tensor", call_binary("add", var, eps)}});
  TtTensor y = call_binary("multiply", call_binary("subtract", grouped, mean), rstd);
  y = reshape(y, {n, c, hw});
  if (weight && weight->defined()) y = call_binary("multiply", y, reshape(resident_cast(*weight, DataType::FLOAT32), {c, 1}));
  if (bias && bias->defined()) y = call_binary("add", y, reshape(resident_cast(*bias, DataType::FLOAT32), {c, 1}));
  return {wrap(cast(y, type), x.scalar_type(), x.sizes()), wrap(cast(mean, type), x.scalar_type(), {n, groups}),
          wrap(cast(rstd, type), x.scalar_type(), {n, groups})};
}

// group norm's gradient by the CPU kernel's formula, on [N, G, D = C/G, HxW] views: per channel
// ds = sum(dy * x), db = sum(dy); per group ds_g = sum(ds * gamma), db_g = sum(db * gamma) over its
// channels; dx = gamma * rstd * dy + b * x + c with b = (db_g * mean - ds_g) * rstd^3 / (D * HxW) and
// c = -b * mean - db_g * rstd / (D * HxW); dgamma = sum over N of (ds - db * mean) * rstd, dbeta = sum
// over N of db.
std::tuple<at::Tensor, at::Tensor, at::Tensor> native_group_norm_backward(
    const at::Tensor& grad, const at::Tensor& x, const at::Tensor& mean_in, const at::Tensor& rstd_in,
    const std::optional<at::Tensor>& weight, c10::SymInt n_sym, c10::SymInt c_sym, c10::SymInt hw_sym, int64_t groups,
    std::array<bool, 3> mask) {
  const at::Tensor* w = weight && weight->defined() ? &*weight : nullptr;
  device_of({&grad, &x, &mean_in, &rstd_in, w});
  check_float(x);
  const int64_t n = n_sym.expect_int(), c = c_sym.expect_int(), hw = hw_sym.expect_int();
  if (x.numel() == 0 || groups <= 0 || c % groups != 0) decline("an empty or ungroupable group norm gradient");
  if (grad.scalar_type() != x.scalar_type() || grad.sizes() != x.sizes()) decline("a group norm gradient of another dtype or shape");
  const int64_t d = c / groups;
  auto shaped = [](const TtTensor& t, std::vector<int64_t> shape) {
    return ops::call1("reshape", {{"input_tensor", t}, {"shape", std::move(shape)}});
  };
  auto as_float = [&](const at::Tensor& t, std::vector<int64_t> shape) {
    return shaped(cast(to_tt(t.contiguous()), DataType::FLOAT32), std::move(shape));
  };
  auto sum_over = [](const TtTensor& t, int64_t dim) {
    return ops::call1("sum", {{"input_tensor", t}, {"dim", std::vector<int64_t>{dim}}, {"keepdim", true}});
  };
  const TtTensor dy = as_float(grad, {n, groups, d, hw}), input = as_float(x, {n, groups, d, hw});
  const TtTensor mean = as_float(mean_in, {n, groups, 1, 1}), rstd = as_float(rstd_in, {n, groups, 1, 1});
  const TtTensor ds = sum_over(call_binary("multiply", dy, input), 3), db = sum_over(dy, 3);  // [N, G, D, 1]
  const TtTensor gamma = w ? shaped(resident_cast(*w, DataType::FLOAT32), {1, groups, d, 1}) : TtTensor{};
  const DataType type = math_type(x.scalar_type());
  at::Tensor grad_input, grad_weight, grad_bias;
  if (mask[0]) {
    const double scale = 1.0 / static_cast<double>(d * hw);
    const TtTensor ds_g = sum_over(w ? call_binary("multiply", ds, gamma) : ds, 2);  // [N, G, 1, 1]
    const TtTensor db_g = sum_over(w ? call_binary("multiply", db, gamma) : db, 2);
    const TtTensor rstd_cubed = call_binary("multiply", call_binary("multiply", rstd, rstd), rstd);
    const TtTensor b = call_binary("multiply", call_binary("multiply", call_binary("subtract", call_binary("multiply", db_g, mean), ds_g),
                                                           rstd_cubed), scale);
    const TtTensor c_term = call_binary("subtract", ops::call1("neg", {{"input_tensor", call_binary("multiply", b, mean)}}),
                                        call_binary("multiply", call_binary("multiply", db_g, rstd), scale));
    const TtTensor dy_scale = w ? call_binary("multiply", gamma, rstd) : rstd;
    const TtTensor dx = call_binary("add", call_binary("add", call_binary("multiply", dy, dy_scale), call_binary("multiply", input, b)), c_term);
    grad_input = wrap(cast(dx, type), x.scalar_type(), x.sizes());
  }
  if (mask[1] && w) {
    const TtTensor centred = call_binary("subtract", ds, call_binary("multiply", db, mean));
    const TtTensor dgamma = sum_over(call_binary("multiply", centred, rstd), 0);
    grad_weight = wrap(cast(dgamma, math_type(w->scalar_type())), w->scalar_type(), w->sizes());
  }
  if (mask[2]) {
    const c10::ScalarType bias_type = w ? w->scalar_type() : x.scalar_type();
    grad_bias = wrap(cast(sum_over(db, 0), math_type(bias_type)), bias_type, {c});
  }
  return {grad_input, grad_weight, grad_bias};
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("_softmax", ATEN_OP(_softmax), &softmax);
  TTNN_NATIVE("_safe_softmax", ATEN_OP(_safe_softmax), &safe_softmax);
  TTNN_NATIVE("_log_softmax", ATEN_OP(_log_softmax), &log_softmax);
  TTNN_NATIVE("_weight_norm_interface", ATEN_OP(_weight_norm_interface), &weight_norm_interface);
  m.impl("native_group_norm", TORCH_FN((Native<ATEN_OP(native_group_norm), &native_group_norm, true>::call)));
  m.impl("native_group_norm_backward",
         TORCH_FN((Native<ATEN_OP(native_group_norm_backward), &native_group_norm_backward, true>::call)));
  m.impl("native_layer_norm", TORCH_FN((Native<ATEN_OP(native_layer_norm), &native_layer_norm, true>::call)));
  m.impl("layer_norm", TORCH_FN((Native<ATEN_OP(layer_norm), &layer_norm_values, true>::call)));
  m.impl("native_layer_norm_backward",
         TORCH_FN((Native<ATEN_OP(native_layer_norm_backward), &native_layer_norm_backward, true>::call)));
}

TORCH_LIBRARY_IMPL(aten, AutogradPrivateUse1, m) { m.impl("layer_norm", TORCH_FN(layer_norm_autograd)); }

}  // namespace
}  // namespace ttnn_device::aten
