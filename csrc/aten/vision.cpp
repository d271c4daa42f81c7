// Convolution and pooling kernels. TT-NN convolves and pools channels-last: the input goes in as
// [N, H, W, C] (free when it already is channels-last, as every output here is), and results come back
// as NCHW tensors with channels-last strides over TT-NN's [1, 1, N*OH*OW, C] output buffer, so a chain
// of convolutions never permutes.
#include <ATen/ATen.h>
#include <ATen/ops/max_pool2d_native.h>
#include <torch/library.h>

#include "aten/cpu_convolution.h"
#include "aten/gradient_recorded.h"
#include "aten/operands.h"
#include "aten/vision_shapes.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

const std::vector<int64_t> kNhwc = {0, 2, 3, 1};

std::vector<int64_t> channels_last_strides(c10::IntArrayRef sizes) {
  const int64_t c = sizes[1], h = sizes[2], w = sizes[3];
  return {h * w * c, 1, w * c, c};
}

// The input as TT-NN's [N, H, W, C] tensor, or as the flattened [1, 1, N*H*W, C] one (which TT-NN's
// convolutions and pools take alike) when its storage already holds it so: re-tiling a previous
// convolution's output to [N, H, W, C] would be a layout conversion per layer.
TtTensor nhwc(const at::Tensor& x) {
  const at::Tensor channels_last = x.permute(kNhwc);
  const std::vector<int64_t> flat = {1, 1, x.size(0) * x.size(2) * x.size(3), x.size(1)};
  const auto stored = in_stored_shape({&channels_last}, channels_last.sizes());
  if (stored && (*stored)[0].sizes() == c10::IntArrayRef(flat)) {
    return to_tt(channels_last.view(flat));
  }
  return to_tt(channels_last);
}

at::Tensor channels_last_result(TtTensor result, c10::ScalarType dtype, const std::vector<int64_t>& sizes) {
  return wrap(std::move(result), dtype, sizes, channels_last_strides(sizes));
}

// Declined convolutions run on the CPU by hand: the generic fallback cannot serve this op.
at::Tensor convolution_kernel(const at::Tensor& input, const at::Tensor& weight, const std::optional<at::Tensor>& bias,
                              c10::IntArrayRef stride, c10::IntArrayRef padding, c10::IntArrayRef dilation,
                              bool transposed, c10::IntArrayRef output_padding, int64_t groups) {
  try {
    return native_convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups);
  } catch (const Decline& d) {
    core::set_decline_reason(d.reason);
    return cpu_convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups);
  }
}

// Pools: TT-NN pools [N, H, W, C] input of BFLOAT16/FLOAT32.
ops::Args pool_args(const at::Tensor& x) {
  if (x.dim() != 4) decline("a pool of a tensor that is neither NCHW nor CHW");
  if (x.scalar_type() != c10::kFloat && x.scalar_type() != c10::kBFloat16) decline("a pool of a non-float tensor");
  return {{"input_tensor", nhwc(x)}, {"batch_size", x.size(0)}, {"input_h", x.size(2)}, {"input_w", x.size(3)},
          {"channels", x.size(1)}};
}

int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  const int64_t span = in + 2 * p - d * (k - 1) - 1;
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;
  return out;
}

// A max pool's values and, with `with_indices`, the flat index of each maximum in its H*W plane.
std::tuple<at::Tensor, at::Tensor> max_pool(const at::Tensor& x, c10::IntArrayRef kernel, c10::IntArrayRef stride_in,
                                            c10::IntArrayRef padding_in, c10::IntArrayRef dilation_in, bool ceil_mode,
                                            bool with_indices) {
  device_of({&x});
  if (x.dim() == 3) {  // unbatched [C, H, W]: a batch of one
    auto [values, indices] = max_pool(x.unsqueeze(0), kernel, stride_in, padding_in, dilation_in, ceil_mode, with_indices);
    return {values.squeeze(0), with_indices ? indices.squeeze(0) : indices};
  }
  ops::Args args = pool_args(x);
  const auto k = pair(kernel, kernel), stride = pair(stride_in, kernel), padding = pair(padding_in, {0});
  const auto dilation = pair(dilation_in, {1});
  args.set("kernel_size", k).set("stride", stride).set("padding", padding).set("dilation", dilation);
  args.set("ceil_mode", ceil_mode).set("return_indices", with_indices);
  auto outs = ops::call("max_pool2d", args);
  std::vector<int64_t> sizes = {x.size(0), x.size(1), pool_out(x.size(2), k[0], stride[0], padding[0], dilation[0], ceil_mode),
                                pool_out(x.size(3), k[1], stride[1], padding[1], dilation[1], ceil_mode)};
  at::Tensor values = channels_last_result(outs[0], x.scalar_type(), sizes);
  if (!with_indices) return {values, at::Tensor()};
  return {values, wrap_int64(outs[1], sizes, channels_last_strides(sizes))};
}

std::tuple<at::Tensor, at::Tensor> max_pool2d_with_indices(const at::Tensor& x, c10::IntArrayRef kernel,
                                                           c10::IntArrayRef stride, c10::IntArrayRef padding,
                                                           c10::IntArrayRef dilation, bool ceil_mode) {
  return max_pool(x, kernel, stride, padding, dilation, ceil_mode, /*with_indices=*/true);
}

// max_pool2d where no gradient is recorded (see max_pool2d_autograd): the values alone. The indices,
// which only the backward reads, cost a pass of their own and an int64 output as large as the values.
at::Tensor max_pool2d_values(const at::Tensor& x, c10::IntArrayRef kernel, c10::IntArrayRef stride,
                             c10::IntArrayRef padding, c10::IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool(x, kernel, stride, padding, dilation, ceil_mode, /*with_indices=*/false));
}

// aten::max_pool2d at the autograd key: PyTorch's composite (max_pool2d_with_indices, whose indices
// backward saves) where a gradient may be recorded; elsewhere below autograd to max_pool2d_values.
at::Tensor max_pool2d_autograd(const at::Tensor& x, c10::IntArrayRef kernel, c10::IntArrayRef stride,
                               c10::IntArrayRef padding, c10::IntArrayRef dilation, bool ceil_mode) {
  if (gradient_recorded({&x})) return at::native::max_pool2d(x, kernel, stride, padding, dilation, ceil_mode);
  at::AutoDispatchBelowADInplaceOrView below_autograd;
  return at::_ops::max_pool2d::call(x, kernel, stride, padding, dilation, ceil_mode);
}

at::Tensor avg_pool2d(const at::Tensor& x, c10::IntArrayRef kernel, c10::IntArrayRef stride_in,
                      c10::IntArrayRef padding_in, bool ceil_mode, bool count_include_pad,
                      std::optional<int64_t> divisor_override) {
  device_of({&x});
  if (x.dim() == 3) {
    return ::ttnn_device::aten::avg_pool2d(x.unsqueeze(0), kernel, stride_in, padding_in, ceil_mode, count_include_pad, divisor_override)
        .squeeze(0);
  }
  ops::Args args = pool_args(x);
  const auto k = pair(kernel, kernel), stride = pair(stride_in, kernel), padding = pair(padding_in, {0});
  args.set("kernel_size", k).set("stride", stride).set("padding", padding).set("ceil_mode", ceil_mode);
  args.set("count_include_pad", count_include_pad);
  if (divisor_override) args.set("divisor_override", *divisor_override);
  std::vector<int64_t> sizes = {x.size(0), x.size(1), pool_out(x.size(2), k[0], stride[0], padding[0], 1, ceil_mode),
                                pool_out(x.size(3), k[1], stride[1], padding[1], 1, ceil_mode)};
  return channels_last_result(ops::call1("avg_pool2d", args), x.scalar_type(), sizes);
}

at::Tensor adaptive_avg_pool2d(const at::Tensor& x, c10::SymIntArrayRef output_size_sym) {
  device_of({&x});
  if (x.dim() == 3) return ::ttnn_device::aten::adaptive_avg_pool2d(x.unsqueeze(0), output_size_sym).squeeze(0);
  const auto output_size = pair(C10_AS_INTARRAYREF_SLOW(output_size_sym), {1});
  ops::Args args = pool_args(x);
  args.set("output_size", output_size);
  std::vector<int64_t> sizes = {x.size(0), x.size(1), output_size[0], output_size[1]};
  return channels_last_result(ops::call1("adaptive_avg_pool2d", args), x.scalar_type(), sizes);
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("convolution_overrideable", TORCH_FN(convolution_kernel));
  TTNN_NATIVE("max_pool2d_with_indices", ATEN_OP(max_pool2d_with_indices), &max_pool2d_with_indices);
  TTNN_NATIVE("max_pool2d", ATEN_OP(max_pool2d), &max_pool2d_values);
  TTNN_NATIVE("avg_pool2d", ATEN_OP(avg_pool2d), &avg_pool2d);
  m.impl("_adaptive_avg_pool2d", TORCH_FN((Native<ATEN_OP(_adaptive_avg_pool2d), &adaptive_avg_pool2d, true>::call)));
}

TORCH_LIBRARY_IMPL(aten, AutogradPrivateUse1, m) { m.impl("max_pool2d", TORCH_FN(max_pool2d_autograd)); }

}  // namespace

at::Tensor native_convolution(const at::Tensor& input_in, const at::Tensor& weight_in, const std::optional<at::Tensor>& bias,
                              c10::IntArrayRef stride_in, c10::IntArrayRef padding_in, c10::IntArrayRef dilation_in,
                       bool transposed, c10::IntArrayRef output_padding_in, int64_t groups) {
  device_of({&input_in, &weight_in, bias ? &*bias : nullptr});
  if (input_in.dim() != 3 && input_in.dim() != 4) decline("a convolution that is not 1-d or 2-d");
  if (input_in.scalar_type() != weight_in.scalar_type()) decline("a convolution of two dtypes");
  if (!at::isFloatingType(input_in.scalar_type())) decline("an integer convolution");
  math_type(input_in.scalar_type());
  // 1-d convolutions run as 2-d ones of height 1.
  const bool one_d = input_in.dim() == 3;
  at::Tensor input = one_d ? input_in.unsqueeze(2) : input_in;
  at::Tensor weight = one_d ? weight_in.unsqueeze(2) : weight_in;
  auto two = [&](c10::IntArrayRef v, int64_t fill) {
    return one_d ? std::vector<int64_t>{fill, v[0]} : std::vector<int64_t>{v[0], v.size() > 1 ? v[1] : v[0]};
  };
  const auto stride = two(stride_in, 1), padding = two(padding_in, 0), dilation = two(dilation_in, 1);
  const auto output_padding = output_padding_in.empty() ? std::vector<int64_t>{0, 0} : two(output_padding_in, 0);
  const int64_t n = input.size(0), cin = input.size(1), h = input.size(2), w = input.size(3);
  const int64_t kh = weight.size(2), kw = weight.size(3);
  const int64_t cout = transposed ? weight.size(1) * groups : weight.size(0);
  std::vector<int64_t> sizes = {n, cout, 0, 0};
  for (int i = 0; i < 2; ++i) {
    const int64_t in = i == 0 ? h : w, k = i == 0 ? kh : kw;
    sizes[2 + i] = transposed ? conv_transpose_out(in, k, stride[i], padding[i], dilation[i], output_padding[i])
                              : conv_out(in, k, stride[i], padding[i], dilation[i]);
  }
  if (sizes[2] <= 0 || sizes[3] <= 0 || n == 0) decline("a convolution with an empty output");
  ops::Args args{{"input_tensor", nhwc(input)},
                 {"weight_tensor", to_tt(weight)},
                 {"in_channels", cin},
                 {"out_channels", cout},
                 {"batch_size", n},
                 {"input_height", h},
                 {"input_width", w},
                 {"kernel_size", std::vector<int64_t>{kh, kw}},
                 {"stride", stride},
                 {"padding", padding},
                 {"dilation", dilation},
                 {"groups", groups}};
  if (bias && bias->defined()) args.set("bias_tensor", to_tt(*bias));
  if (transposed) args.set("output_padding", output_padding);
  at::Tensor out = channels_last_result(ops::call1(transposed ? "conv_transpose2d" : "conv2d", args),
                                        input.scalar_type(), sizes);
  return one_d ? out.squeeze(2) : out;
}

}  // namespace ttnn_device::aten
