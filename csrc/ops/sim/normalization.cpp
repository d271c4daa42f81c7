// The reference device's softmax, layer/RMS/group/batch norm: fp32 math on the stored values, one rounding
// to the output's data type.
#include <ATen/ATen.h>

#include "ops/dispatch.h"
#include "ops/sim/fidelity.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

at::Tensor values_f32(const TtTensor& t) { return read(t).to(c10::kFloat); }
std::optional<at::Tensor> optional_f32(const Args& args, const char* name) {
  if (auto t = args.optional_tensor(name)) return values_f32(*t);
  return std::nullopt;
}
// Per-channel parameters stored as any shape with C elements, broadcast over `like`'s dim 1 (NCHW).
at::Tensor per_channel(const at::Tensor& p, const at::Tensor& like) {
  std::vector<int64_t> shape(like.dim(), 1);
  shape[1] = like.size(1);
  return p.reshape(shape);
}

// softmax (dim -1 unless given) or TT-NN's moreh_logsoftmax (dim required), in fp32 along `dim`.
template <bool kLog>
std::vector<TtTensor> softmax_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  at::Tensor v = values_f32(x);
  const int64_t dim = kLog ? args.integer("dim") : args.integer("dim", -1);
  at::Tensor result = v.numel() == 0 ? v : kLog ? at::log_softmax(v, dim) : at::softmax(v, dim);
  return {store(result, x.device(), Layout::TILE, x.dtype)};
}

// TT-NN's scale_mask_softmax: softmax along the last dim of input * scale + mask, in fp32; the scaled
// logits are formed on the host, not stored (the card's op keeps them in its own buffers).
std::vector<TtTensor> scale_mask_softmax_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  // Scaled as they are untilized, into staging memory of our own, so a mask is added in place: no
  // pass and no fresh buffer of their own.
  at::Tensor v = args.has("scale") ? read_scaled(x, static_cast<float>(args.number("scale"))) : read_cut(x, kAllBits);
  if (auto mask = optional_f32(args, "mask")) v.add_(*mask);
  at::Tensor result = v.numel() == 0 ? v : at::softmax(v, -1);
  return {store(result, x.device(), Layout::TILE, x.dtype)};
}

template <bool kRms>
std::vector<TtTensor> norm_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  at::Tensor v = values_f32(x);
  const double eps = args.number("epsilon", 1e-12);
  auto weight = optional_f32(args, "weight");
  auto bias = optional_f32(args, "bias");
  const int64_t width = v.dim() == 0 ? 1 : v.size(-1);
  auto fits = [&](const std::optional<at::Tensor>& p) { return !p || p->numel() == width; };
  at::Tensor result;
  if (!kRms && v.dim() > 0 && fits(weight) && fits(bias)) {
    // One fused fp32 pass over each row (mean, variance, normalise, affine), the same math as below.
    result = at::layer_norm(v, {width}, weight ? weight->reshape({width}) : at::Tensor(),
                            bias ? bias->reshape({width}) : at::Tensor(), eps);
    return {store(result, x.device(), Layout::TILE, x.dtype)};
  }
  if (kRms) {
    result = v * at::rsqrt(v.pow(2).mean(-1, true) + eps);
  } else {
    auto mean = v.mean(-1, true);
    auto var = (v - mean).pow(2).mean(-1, true);
    result = (v - mean) * at::rsqrt(var + eps);
  }
  if (weight) result = result * weight->reshape({-1});
  if (bias) result = result + bias->reshape({-1});
  return {store(result, x.device(), Layout::TILE, x.dtype)};
}

// group_norm over channels-last input [N, 1, H*W, C] (TT-NN's convention); weight/bias per channel.
std::vector<TtTensor> group_norm_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  at::Tensor v = values_f32(x);  // [N, 1, HW, C]
  const int64_t groups = args.integer("num_groups");
  at::Tensor nchw = v.permute({0, 3, 1, 2});  // [N, C, 1, HW]
  at::Tensor result = at::group_norm(nchw, groups, optional_f32(args, "weight").value_or(at::Tensor()).reshape({-1}),
                                     optional_f32(args, "bias").value_or(at::Tensor()).reshape({-1}),
                                     args.number("epsilon", 1e-12));
  return {store(result.permute({0, 2, 3, 1}), x.device(), output_layout("group_norm", x.layout), x.dtype)};
}

std::vector<TtTensor> batch_norm_impl(const Args& args) {
  const TtTensor& x = args.tensor("input");
  at::Tensor v = values_f32(x);
  at::Tensor mean = per_channel(values_f32(args.tensor("running_mean")), v);
  at::Tensor var = per_channel(values_f32(args.tensor("running_var")), v);
  at::Tensor result = (v - mean) * at::rsqrt(var + args.number("eps", 1e-5));
  if (auto w = optional_f32(args, "weight")) result = result * per_channel(*w, v);
  if (auto b = optional_f32(args, "bias")) result = result + per_channel(*b, v);
  return {store(result, x.device(), Layout::TILE, x.dtype)};
}

const bool registered = [] {
  register_impls("sim", {{"softmax", softmax_impl<false>}, {"moreh_logsoftmax", softmax_impl<true>},
                         {"scale_mask_softmax", scale_mask_softmax_impl},
                         {"layer_norm", norm_impl<false>}, {"rms_norm", norm_impl<true>},
                         {"group_norm", group_norm_impl}, {"batch_norm", batch_norm_impl}});
  return true;
}();

}  // namespace
}  // namespace ttnn_device::ops::sim
