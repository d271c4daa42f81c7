// Batch norm: inference, training (batch statistics, running statistics updated on the device) and the
// gradient, through TT-NN's elementwise ops and reductions on per-channel vectors. Everything is computed
// in the input's memory order, in the shape its TILE buffer is stored in where the channel vectors can be
// shaped for it (a convolution's [1, 1, N*H*W, C] output), so channels-last activations are never
// permuted or re-tiled.
#include <ATen/ATen.h>
#include <torch/library.h>

#include <algorithm>
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

// Tensors of the input's sizes seen in its memory order (and stored shape), with the shape a [C] vector
// takes to broadcast along the channel dim there, and the dims a per-channel reduction sums over.
struct ChannelView {
  DimOrder order;
  std::vector<at::Tensor> views;      // the tensors given, as computed on
  std::vector<int64_t> vector_shape;  // a [C] vector's shape against the views
  std::vector<int64_t> reduce_dims;   // every dim but the channel's

  ChannelView(std::initializer_list<const at::Tensor*> tensors) {
    const at::Tensor& x = **tensors.begin();
    order = memory_order(x);
    std::vector<Borrowed> ordered;
    for (const at::Tensor* t : tensors) ordered.push_back(in_order(*t, x.dim(), order));
    std::vector<const at::Tensor*> pointers;
    for (const Borrowed& b : ordered) pointers.push_back(&*b);
    const auto sizes = ordered.front()->sizes();
    vector_shape.assign(x.dim(), 1);
    vector_shape[std::find(order.begin(), order.end(), 1) - order.begin()] = x.size(1);
    auto reviewed = in_stored_shape(pointers, sizes);
    std::optional<std::vector<int64_t>> stored;
    if (reviewed) stored = stored_form(vector_shape, sizes, (*reviewed)[0].sizes(), false);
    if (stored) {
      vector_shape = *stored;
      views = std::move(*reviewed);
    } else {
      for (const at::Tensor* t : pointers) views.push_back(*t);
    }
    const auto channel = std::find_if(vector_shape.begin(), vector_shape.end(), [&](int64_t n) { return n != 1; });
    for (int64_t d = 0; d < static_cast<int64_t>(vector_shape.size()); ++d) {
      if (channel == vector_shape.end() || d != channel - vector_shape.begin()) reduce_dims.push_back(d);
    }
  }

  TtTensor shaped(const TtTensor& v) const {
    return ops::call1("reshape", {{"input_tensor", v}, {"shape", vector_shape}});
  }
  TtTensor sum(const TtTensor& t) const {
    return ops::call1("sum", {{"input_tensor", t}, {"dim", reduce_dims}, {"keepdim", true}});
  }
};

TtTensor as_vector(const TtTensor& t, int64_t channels) {
  return ops::call1("reshape", {{"input_tensor", t}, {"shape", std::vector<int64_t>{channels}}});
}

// A [C] parameter or statistic in FLOAT32 (TT-NN mixes float data types in one op), so a bfloat16 input is
// rounded once per op, not also through bfloat16 statistics.
TtTensor channel_vector(const at::Tensor& t) { return resident_cast(t, DataType::FLOAT32); }

void check_float(const at::Tensor& x) {
  if (x.scalar_type() != c10::kFloat && x.scalar_type() != c10::kBFloat16) decline("batch norm of a non-float tensor");
  if (x.dim() < 2 || x.numel() == 0) decline("batch norm of a tensor with no channel dim or no elements");
}

const at::Tensor* defined(const std::optional<at::Tensor>& t) { return t && t->defined() ? &*t : nullptr; }

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

TtTensor inverse_std(const at::Tensor& running_var, double eps) {
  return ops::call1("rsqrt", {{"input_tensor", call_binary("add", channel_vector(running_var), eps)}});
}

std::shared_ptr<BatchNormFold> kept_fold(const at::Tensor& running_mean, const at::Tensor& running_var,
                                         const at::Tensor* weight, const at::Tensor* bias, double eps) {
  constexpr uint64_t kFoldTag = 0x626e666f6c64ULL;  // "bnfold"
  auto sources = fold_sources({&running_mean, &running_var, weight, bias});
  auto unchanged = [&](const BatchNormFold& kept) { return kept.sources == sources && kept.eps == eps; };
  auto make = [&] {
    BatchNormFold fold{{}, {}, sources, eps};
    TtTensor inv = inverse_std(running_var, eps);
    fold.scale = weight ? call_binary("multiply", inv, channel_vector(*weight)) : inv;
    fold.shift = ops::call1("neg", {{"input_tensor", call_binary("multiply", channel_vector(running_mean), fold.scale)}});
    if (bias) fold.shift = call_binary("add", fold.shift, channel_vector(*bias));
    return fold;
  };
  return core::buffer_of(running_var).derived_or_make<BatchNormFold>(kFoldTag, unchanged, make);
}

// running = (1 - momentum) * running + momentum * batch, written back into the running tensor's storage.
void update_running(const at::Tensor& running, const TtTensor& batch, double momentum) {
  TtTensor kept = call_binary("multiply", channel_vector(running), 1.0 - momentum);
  TtTensor updated = call_binary("add", kept, call_binary("multiply", as_vector(batch, running.numel()), momentum));
  write_into(running, cast(updated, math_type(running.scalar_type())));
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> native_batch_norm(
    const at::Tensor& x, const std::optional<at::Tensor>& weight, const std::optional<at::Tensor>& bias,
    const std::optional<at::Tensor>& running_mean, const std::optional<at::Tensor>& running_var, bool training,
    double momentum, double eps) {
  device_of({&x, defined(weight), defined(bias), defined(running_mean), defined(running_var)});
  check_float(x);
  const at::Tensor* w = defined(weight);
  const at::Tensor* b = defined(bias);
  const at::Tensor* mean_in = defined(running_mean);
  const at::Tensor* var_in = defined(running_var);
  if (!training && (!mean_in || !var_in)) decline("inference batch norm without running statistics");
  const DataType type = math_type(x.scalar_type());
  const int64_t channels = x.size(1);
  const ChannelView view({&x});
  // Inference applies fp32 vectors to the input as it is (rounded once); training's statistics are fp32.
  TtTensor input = cast(to_tt(view.views[0]), training ? DataType::FLOAT32 : type);
  TtTensor scale, shift, save_mean, save_invstd;
  if (!training) {
    const auto fold = kept_fold(*mean_in, *var_in, w, b, eps);
    scale = fold->scale;
    shift = fold->shift;
  } else {
    // Batch statistics over every dim but the channel's (biased variance normalises; the unbiased one
    // goes into the running variance, as torch does).
    const int64_t count = x.numel() / channels;
    if (count <= 1 && var_in) decline("a training batch norm of one value per channel");  // torch raises
    TtTensor mean = ops::call1("mean", {{"input_tensor", input}, {"dim", view.reduce_dims}, {"keepdim", true}});
    TtTensor var = ops::call1("var", {{"input_tensor", input}, {"dim", view.reduce_dims}, {"keepdim", true},
                                      {"correction", int64_t{0}}});
    save_mean = as_vector(mean, channels);
    save_invstd = as_vector(ops::call1("rsqrt", {{"input_tensor", call_binary("add", var, eps)}}), channels);
    scale = w ? call_binary("multiply", save_invstd, channel_vector(*w)) : save_invstd;
    shift = ops::call1("neg", {{"input_tensor", call_binary("multiply", save_mean, scale)}});
    if (b) shift = call_binary("add", shift, channel_vector(*b));
    if (mean_in) update_running(*mean_in, mean, momentum);
    if (var_in) update_running(*var_in, call_binary("multiply", var, static_cast<double>(count) / (count - 1)), momentum);
  }
  // x * scale + shift: one pass through TT-NN's mac where it takes the input (TILE), else two ops.
  TtTensor out = input.layout == Layout::TILE
                     ? ops::call1("mac", {{"input_tensor_a", input},
                                          {"input_tensor_b", view.shaped(scale)},
                                          {"input_tensor_c", view.shaped(shift)}})
                     : call_binary("add", call_binary("multiply", input, view.shaped(scale)), view.shaped(shift));
  const auto options = x.options();
  auto statistic = [&](const TtTensor& v) {
    return training ? wrap(cast(v, type), x.scalar_type(), {channels}) : at::empty({0}, options);
  };
  return {wrap_in_order(cast(out, type), x.scalar_type(), x.sizes(), view.order), statistic(save_mean),
          statistic(save_invstd)};
}

// The gradient, with the CPU kernel's formulas: per channel, sum_g = sum(g) and dot = sum(g * (x - mean));
// dweight = dot * invstd, dbias = sum_g; dx = g * invstd * w in inference, and in training
// (g - sum_g / M - (x - mean) * invstd^2 * dot / M) * invstd * w over the M values of a channel.
std::tuple<at::Tensor, at::Tensor, at::Tensor> native_batch_norm_backward(
    const at::Tensor& grad, const at::Tensor& x, const std::optional<at::Tensor>& weight,
    const std::optional<at::Tensor>& running_mean, const std::optional<at::Tensor>& running_var,
    const std::optional<at::Tensor>& save_mean, const std::optional<at::Tensor>& save_invstd, bool training, double eps,
    std::array<bool, 3> mask) {
  device_of({&grad, &x, defined(weight), defined(running_mean), defined(running_var), defined(save_mean),
             defined(save_invstd)});
  check_float(x);
  if (grad.scalar_type() != x.scalar_type() || grad.sizes() != x.sizes()) decline("a batch norm gradient of another dtype or shape");
  const DataType type = math_type(x.scalar_type());
  const int64_t channels = x.size(1);
  const at::Tensor* w = defined(weight);
  TtTensor mean, invstd;
  if (training) {
    if (!defined(save_mean) || !defined(save_invstd)) decline("a training batch norm gradient without saved statistics");
    mean = channel_vector(*save_mean);
    invstd = channel_vector(*save_invstd);
  } else {
    if (!defined(running_mean) || !defined(running_var)) decline("an inference batch norm gradient without running statistics");
    mean = channel_vector(*running_mean);
    invstd = inverse_std(*running_var, eps);
  }
  const ChannelView view({&x, &grad});
  TtTensor input = cast(to_tt(view.views[0]), DataType::FLOAT32);
  TtTensor g = cast(to_tt(view.views[1]), DataType::FLOAT32);
  TtTensor centered = call_binary("subtract", input, view.shaped(mean));
  TtTensor sum_g = view.sum(g);
  TtTensor dot = view.sum(call_binary("multiply", g, centered));
  at::Tensor grad_input, grad_weight, grad_bias;
  if (mask[0]) {
    TtTensor scale = w ? call_binary("multiply", invstd, channel_vector(*w)) : invstd;
    TtTensor dx;
    if (training) {
      const double count = static_cast<double>(x.numel() / channels);
      TtTensor projection = call_binary("multiply", call_binary("multiply", dot, view.shaped(ops::call1("square", {{"input_tensor", invstd}}))), 1.0 / count);
      TtTensor centered_g = call_binary("subtract", g, call_binary("multiply", sum_g, 1.0 / count));
      dx = call_binary("multiply", call_binary("subtract", centered_g, call_binary("multiply", centered, projection)), view.shaped(scale));
    } else {
      dx = call_binary("multiply", g, view.shaped(scale));
    }
    grad_input = wrap_in_order(cast(dx, type), x.scalar_type(), x.sizes(), view.order);
  }
  const c10::ScalarType param_dtype = w ? w->scalar_type() : x.scalar_type();
  if (mask[1]) {
    grad_weight = wrap(cast(as_vector(call_binary("multiply", dot, view.shaped(invstd)), channels), math_type(param_dtype)),
                       param_dtype, {channels});
  }
  if (mask[2]) grad_bias = wrap(cast(as_vector(sum_g, channels), math_type(param_dtype)), param_dtype, {channels});
  return {grad_input, grad_weight, grad_bias};
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("native_batch_norm", ATEN_OP(native_batch_norm), &native_batch_norm);
  TTNN_NATIVE("native_batch_norm_backward", ATEN_OP(native_batch_norm_backward), &native_batch_norm_backward);
}

}  // namespace
}  // namespace ttnn_device::aten
