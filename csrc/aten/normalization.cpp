// Normalisation kernels: softmax, layer norm, and batch norm in inference. Batch norm folds the running
// statistics into a per-channel scale and shift (TT-NN elementwise ops on [C] vectors), then applies them
// in the input's memory order, so channels-last activations stay channels-last.
#include <ATen/ATen.h>
#include <torch/library.h>

#include <memory>
#include <tuple>

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

at::Tensor softmax(const at::Tensor& x, int64_t dim, bool half_to_float) {
  device_of({&x});
  check_float(x);
  if (half_to_float) decline("softmax with half_to_float");
  if (x.dim() == 0) decline("softmax of a 0-d tensor");
  dim = c10::maybe_wrap_dim(dim, x.dim());
  // Along the last dim, the rows may be factored as the input is stored.
  const bool last = dim == x.dim() - 1;
  TtTensor t = last ? rows_as_stored(x, 1) : to_tt_in(x, Layout::TILE);
  if (last) dim = t.rank() - 1;
  return wrap(ops::call1("softmax", {{"input_tensor", t}, {"dim", dim}, {"numeric_stable", true}}), x.scalar_type(),
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

// log_softmax as x - max - log(sum(exp(x - max))): the shifted form keeps large negative logits exact
// where log(softmax(x)) would underflow.
at::Tensor log_softmax(const at::Tensor& x, int64_t dim, bool half_to_float) {
  device_of({&x});
  check_float(x);
  if (half_to_float) decline("log_softmax with half_to_float");
  if (x.dim() == 0 || x.numel() == 0) decline("log_softmax of a 0-d or empty tensor");
  dim = c10::maybe_wrap_dim(dim, x.dim());
  TtTensor t = to_tt_in(x, Layout::TILE);
  const std::vector<int64_t> along = {dim};
  TtTensor shifted = call_binary("subtract", t, ops::call1("max", {{"input_tensor", t}, {"dim", along}, {"keepdim", true}}));
  TtTensor total = ops::call1("sum", {{"input_tensor", ops::call1("exp", {{"input_tensor", shifted}})}, {"dim", along}, {"keepdim", true}});
  TtTensor result = call_binary("subtract", shifted, ops::call1("log", {{"input_tensor", total}}));
  return wrap(result, x.scalar_type(), x.sizes());
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

// The per-channel scale and shift of an inference batch norm, folded from its running statistics, weight,
// bias and eps by TT-NN elementwise ops on [C] vectors. Parameters stay unchanged from forward to forward,
// so a fold is kept with running_var's storage (DeviceBuffer::derived: freed with it) and reused while
// none of the four tensors has changed, rather than recomputed with six vocabulary ops per layer per call.
struct BatchNormFold {
  TtTensor scale, shift;
  std::vector<std::tuple<const void*, uint64_t, int64_t>> sources;  // storage, generation, offset of each input
  double eps = 0.0;
};

std::vector<std::tuple<const void*, uint64_t, int64_t>> fold_sources(std::initializer_list<const at::Tensor*> inputs) {
  std::vector<std::tuple<const void*, uint64_t, int64_t>> sources;
  for (const at::Tensor* t : inputs) {
    if (!t || !t->defined()) {
      sources.emplace_back(nullptr, 0, 0);
    } else {
      sources.emplace_back(t->storage().unsafeGetStorageImpl(), core::buffer_of(*t).generation(), t->storage_offset());
    }
  }
  return sources;
}

std::shared_ptr<BatchNormFold> kept_fold(const at::Tensor& running_mean, const at::Tensor& running_var,
                                         const at::Tensor* weight, const at::Tensor* bias, double eps) {
  constexpr uint64_t kFoldTag = 0x626e666f6c64ULL;  // "bnfold"
  auto sources = fold_sources({&running_mean, &running_var, weight, bias});
  auto unchanged = [&](const BatchNormFold& kept) { return kept.sources == sources && kept.eps == eps; };
  auto make = [&] {
    // The per-channel vectors in FLOAT32 (TT-NN mixes float data types in one op), so a bfloat16 input is
    // rounded once per op, not also through a bfloat16 scale and shift.
    auto channel_vector = [&](const at::Tensor& t) { return resident_cast(t, DataType::FLOAT32); };
    BatchNormFold fold{{}, {}, sources, eps};
    TtTensor inv = ops::call1("rsqrt", {{"input_tensor", call_binary("add", channel_vector(running_var), eps)}});
    fold.scale = weight ? call_binary("multiply", inv, channel_vector(*weight)) : inv;
    fold.shift = ops::call1("neg", {{"input_tensor", call_binary("multiply", channel_vector(running_mean), fold.scale)}});
    if (bias) fold.shift = call_binary("add", fold.shift, channel_vector(*bias));
    return fold;
  };
  return core::buffer_of(running_var).derived_or_make<BatchNormFold>(kFoldTag, unchanged, make);
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> native_batch_norm(
    const at::Tensor& x, const std::optional<at::Tensor>& weight, const std::optional<at::Tensor>& bias,
    const std::optional<at::Tensor>& running_mean, const std::optional<at::Tensor>& running_var, bool training,
    double /*momentum*/, double eps) {
  device_of({&x, weight ? &*weight : nullptr, bias ? &*bias : nullptr});
  check_float(x);
  if (training) decline("batch norm in training mode");
  if (!running_mean || !running_var || !running_mean->defined() || !running_var->defined()) {
    decline("batch norm without running statistics");
  }
  if (x.dim() < 2) decline("batch norm of a tensor with no channel dim");
  const DataType type = math_type(x.scalar_type());
  const at::Tensor* w = weight && weight->defined() ? &*weight : nullptr;
  const at::Tensor* b = bias && bias->defined() ? &*bias : nullptr;
  const auto fold = kept_fold(*running_mean, *running_var, w, b, eps);
  const TtTensor& scale = fold->scale;
  const TtTensor& shift = fold->shift;
  // The [C] vectors broadcast along the channel dim wherever it sits in memory order.
  const auto order = memory_order(x);
  std::vector<int64_t> vector_shape(x.dim(), 1);
  const auto channel_pos = std::find(order.begin(), order.end(), 1) - order.begin();
  vector_shape[channel_pos] = x.size(1);
  // Computed in the shape the input is stored in (a convolution's [1, 1, N*H*W, C]) where the vectors
  // can be shaped for it: no re-tiling of the input.
  const auto ordered = in_order(x, x.dim(), order);
  auto reviewed = in_stored_shape({&*ordered}, ordered->sizes());
  at::Tensor viewed = reviewed ? (*reviewed)[0] : *ordered;
  if (auto stored = stored_form(vector_shape, ordered->sizes(), viewed.sizes(), false)) {
    vector_shape = *stored;
  } else {
    viewed = *ordered;
  }
  auto shaped = [&](const TtTensor& v) { return ops::call1("reshape", {{"input_tensor", v}, {"shape", vector_shape}}); };
  TtTensor input = cast(to_tt(viewed), type);
  TtTensor out = call_binary("add", call_binary("multiply", input, shaped(scale)), shaped(shift));
  const auto empty_options = x.options().dtype(x.scalar_type());
  return {wrap_in_order(out, x.scalar_type(), x.sizes(), order), at::empty({0}, empty_options),
          at::empty({0}, empty_options)};
}

// layer norm over the trailing `normalized_shape` dims: TT-NN normalises the last dim, so those dims are
// flattened into one; mean and rstd (which backward needs) come from TT-NN's reductions.
std::tuple<at::Tensor, at::Tensor, at::Tensor> native_layer_norm(const at::Tensor& x, c10::SymIntArrayRef shape_sym,
                                                                 const std::optional<at::Tensor>& weight,
                                                                 const std::optional<at::Tensor>& bias, double eps) {
  device_of({&x, weight ? &*weight : nullptr, bias ? &*bias : nullptr});
  check_float(x);
  const auto normalized = C10_AS_INTARRAYREF_SLOW(shape_sym);
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
  const std::vector<int64_t> along = {t.rank() - 1};
  ops::Args args{{"input_tensor", t}, {"epsilon", eps}};
  if (weight && weight->defined()) args.set("weight", to_tt(weight->reshape({inner})));
  if (bias && bias->defined()) args.set("bias", to_tt(bias->reshape({inner})));
  TtTensor out = ops::call1("layer_norm", args);
  // Statistics in fp32 when the input is bfloat16? torch keeps them in the input dtype on the CPU.
  TtTensor mean = ops::call1("mean", {{"input_tensor", t}, {"dim", along}, {"keepdim", true}});
  TtTensor var = ops::call1("var", {{"input_tensor", t}, {"dim", along}, {"keepdim", true}, {"correction", int64_t{0}}});
  TtTensor rstd = ops::call1("rsqrt", {{"input_tensor", call_binary("add", var, eps)}});
  std::vector<int64_t> stat_sizes(x.sizes().begin(), x.sizes().end());
  for (int64_t d = axis; d < x.dim(); ++d) stat_sizes[d] = 1;
  return {wrap(out, x.scalar_type(), x.sizes()), wrap(mean, x.scalar_type(), stat_sizes),
          wrap(rstd, x.scalar_type(), stat_sizes)};
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

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("_softmax", ATEN_OP(_softmax), &softmax);
  TTNN_NATIVE("_safe_softmax", ATEN_OP(_safe_softmax), &safe_softmax);
  TTNN_NATIVE("_log_softmax", ATEN_OP(_log_softmax), &log_softmax);
  TTNN_NATIVE("_weight_norm_interface", ATEN_OP(_weight_norm_interface), &weight_norm_interface);
  TTNN_NATIVE("native_batch_norm", ATEN_OP(native_batch_norm), &native_batch_norm);
  m.impl("native_group_norm", TORCH_FN((Native<ATEN_OP(native_group_norm), &native_group_norm, true>::call)));
  m.impl("native_layer_norm", TORCH_FN((Native<ATEN_OP(native_layer_norm), &native_layer_norm, true>::call)));
}

}  // namespace
}  // namespace ttnn_device::aten
