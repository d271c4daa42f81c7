// Gradients of convolution, max pooling and embedding through TT-NN's ops.
//
// Convolution: the input gradient is the transposed convolution of the output gradient with the same
// weights (and a transposed convolution's is the plain convolution); the weight gradient is itself a
// convolution, of the input with the output gradient as its kernel, batch and channels swapped, with
// stride and dilation exchanged: grad_w[o, i, a, b] = sum over n, y, x of g[n, o, y, x] * in[n, i, y*s + a*d
// - p, x*s + b*d - p]. Its output can be larger than the kernel (rows the forward never reached) and is
// cut to it. The bias gradient is a sum.
//
// Max pooling and embedding: the input gradient is a scatter-add of the output gradient into zeros, at
// the positions the forward picked (max pooling's indices, embedding's token ids).
#include <ATen/ATen.h>
#include <torch/library.h>

#include "aten/cpu_convolution.h"
#include "aten/operands.h"
#include "aten/vision_shapes.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// The weight gradient runs one convolution per group; a depthwise layer's hundreds of groups would each pay
// the per-op cost, so above this many groups the gradient declines to the CPU's single call (a bound
// chosen, not measured).
constexpr int64_t kMaxWeightGradGroups = 64;

// The weight gradient of one group (non-transposed: [Cout/g, Cin/g, kh, kw]; transposed: [Cin/g, Cout/g, kh, kw]).
at::Tensor weight_grad(const at::Tensor& grad, const at::Tensor& input, int64_t kh, int64_t kw,
                       const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
                       const std::vector<int64_t>& dilation, bool transposed) {
  const at::Tensor in_planes = input.transpose(0, 1), grad_planes = grad.transpose(0, 1);
  // Non-transposed: in_planes [Cin, N, H, W] convolved with grad_planes [Cout, N, OH, OW] -> [Cin, Cout, ..].
  // Transposed: the roles of input and output gradient swap -> [Cout, Cin, ..].
  const at::Tensor& image = transposed ? grad_planes : in_planes;
  const at::Tensor& kernel = transposed ? in_planes : grad_planes;
  at::Tensor full = native_convolution(image, kernel, std::nullopt, dilation, padding, stride, false, {}, 1);
  if (full.size(2) < kh || full.size(3) < kw) decline("a convolution weight gradient smaller than its kernel");
  return full.narrow(2, 0, kh).narrow(3, 0, kw).transpose(0, 1);
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> native_convolution_backward(
    const at::Tensor& grad_in, const at::Tensor& input_in, const at::Tensor& weight_in, c10::IntArrayRef stride_in,
    c10::IntArrayRef padding_in, c10::IntArrayRef dilation_in, bool transposed, c10::IntArrayRef output_padding_in,
    int64_t groups, std::array<bool, 3> mask) {
  device_of({&grad_in, &input_in, &weight_in});
  if (input_in.dim() != 3 && input_in.dim() != 4) decline("a convolution gradient that is not 1-d or 2-d");
  if (grad_in.scalar_type() != input_in.scalar_type() || weight_in.scalar_type() != input_in.scalar_type()) {
    decline("a convolution gradient of mixed dtypes");
  }
  if (!at::isFloatingType(input_in.scalar_type())) decline("an integer convolution gradient");
  if (input_in.numel() == 0 || grad_in.numel() == 0) decline("a convolution gradient of no elements");
  const bool one_d = input_in.dim() == 3;
  const at::Tensor grad = one_d ? grad_in.unsqueeze(2) : grad_in;
  const at::Tensor input = one_d ? input_in.unsqueeze(2) : input_in;
  const at::Tensor weight = one_d ? weight_in.unsqueeze(2) : weight_in;
  auto two = [&](c10::IntArrayRef v, int64_t fill) {
    return one_d ? std::vector<int64_t>{fill, v[0]} : std::vector<int64_t>{v[0], v.size() > 1 ? v[1] : v[0]};
  };
  const auto stride = two(stride_in, 1), padding = two(padding_in, 0), dilation = two(dilation_in, 1);
  const auto output_padding = output_padding_in.empty() ? std::vector<int64_t>{0, 0} : two(output_padding_in, 0);
  const int64_t kh = weight.size(2), kw = weight.size(3);
  const std::vector<int64_t> spatial = {input.size(2), input.size(3)};

  at::Tensor grad_input, grad_weight, grad_bias;
  if (mask[0]) {
    if (transposed) {
      grad_input = native_convolution(grad, weight, std::nullopt, stride, padding, dilation, false, {}, groups);
    } else {
      // The rows the forward's last window left unread come back as the transposed convolution's output padding.
      std::vector<int64_t> extra(2);
      for (int i = 0; i < 2; ++i) {
        const int64_t k = i == 0 ? kh : kw;
        extra[i] = spatial[i] - conv_transpose_out(grad.size(2 + i), k, stride[i], padding[i], dilation[i], 0);
        if (extra[i] < 0 || extra[i] >= std::max(stride[i], dilation[i])) decline("a convolution input gradient with this padding");
      }
      grad_input = native_convolution(grad, weight, std::nullopt, stride, padding, dilation, true, extra, groups);
    }
    if (grad_input.sizes() != input.sizes()) decline("a convolution input gradient of another size");
  }
  if (mask[1]) {
    if (groups > kMaxWeightGradGroups) decline("the weight gradient of a convolution of many groups");
    const int64_t in_per_group = input.size(1) / groups, out_per_group = grad.size(1) / groups;
    std::vector<at::Tensor> parts;
    for (int64_t g = 0; g < groups; ++g) {
      parts.push_back(weight_grad(grad.narrow(1, g * out_per_group, out_per_group),
                                  input.narrow(1, g * in_per_group, in_per_group), kh, kw, stride, padding, dilation,
                                  transposed));
    }
    grad_weight = (groups == 1 ? parts.front() : at::cat(parts, 0)).contiguous();
  }
  if (mask[2]) grad_bias = grad.sum({0, 2, 3});
  if (one_d) {
    if (grad_input.defined()) grad_input = grad_input.squeeze(2);
    if (grad_weight.defined()) grad_weight = grad_weight.squeeze(2);
  }
  return {grad_input, grad_weight, grad_bias};
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> convolution_backward_kernel(
    const at::Tensor& grad, const at::Tensor& input, const at::Tensor& weight, c10::IntArrayRef stride,
    c10::IntArrayRef padding, c10::IntArrayRef dilation, bool transposed, c10::IntArrayRef output_padding,
    int64_t groups, std::array<bool, 3> mask) {
  try {
    return native_convolution_backward(grad, input, weight, stride, padding, dilation, transposed, output_padding,
                                       groups, mask);
  } catch (const Decline& d) {
    core::set_decline_reason(d.reason);
    return cpu_convolution_backward(grad, input, weight, stride, padding, dilation, transposed, output_padding, groups,
                                    mask);
  }
}

// Average pooling's input gradient: each output gradient spread evenly over its window, i.e. the
// transposed depthwise convolution of the gradient with a constant kernel of 1 / divisor. Windows whose
// divisor varies (padding left out of the count, ceil_mode's partial windows) decline.
at::Tensor avg_pool2d_grad(const at::Tensor& grad, const at::Tensor& self, c10::IntArrayRef kernel_in,
                           c10::IntArrayRef stride_in, c10::IntArrayRef padding_in, bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override) {
  device_of({&grad, &self});
  if (self.dim() == 3) {
    return avg_pool2d_grad(grad.unsqueeze(0), self.unsqueeze(0), kernel_in, stride_in, padding_in, ceil_mode,
                           count_include_pad, divisor_override).squeeze(0);
  }
  if (self.dim() != 4 || grad.scalar_type() != self.scalar_type()) decline("an average pool gradient of this shape or dtype");
  math_type(self.scalar_type());
  const auto kernel = pair(kernel_in, kernel_in), stride = pair(stride_in, kernel_in), padding = pair(padding_in, {0});
  if (!count_include_pad && (padding[0] || padding[1]) && !divisor_override) decline("an average pool gradient not counting padding");
  std::vector<int64_t> extra(2);
  for (int i = 0; i < 2; ++i) {
    const int64_t in = self.size(2 + i), out = grad.size(2 + i);
    if (out != conv_out(in, kernel[i], stride[i], padding[i], 1)) decline("an average pool gradient with ceil_mode's partial windows");
    extra[i] = in - conv_transpose_out(out, kernel[i], stride[i], padding[i], 1, 0);
  }
  const int64_t channels = self.size(1);
  const double divisor = divisor_override ? static_cast<double>(*divisor_override) : static_cast<double>(kernel[0] * kernel[1]);
  const at::Tensor spread = at::full({channels, 1, kernel[0], kernel[1]}, 1.0 / divisor, grad.options());
  return native_convolution(grad, spread, std::nullopt, stride, padding, {1, 1}, true, extra, channels);
}

at::Tensor& avg_pool2d_grad_out(const at::Tensor& grad, const at::Tensor& self, c10::IntArrayRef kernel,
                                c10::IntArrayRef stride, c10::IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                                std::optional<int64_t> divisor_override, at::Tensor& out) {
  return copy_out(out, avg_pool2d_grad(grad, self, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override));
}

// zeros(shape) with src added at index along dim (index and src of one shape), in src's math type.
TtTensor scatter_add_into_zeros(const std::vector<int64_t>& shape, int64_t dim, const TtTensor& index, const TtTensor& src,
                                c10::Device device) {
  TtTensor zeros = ops::call1("full", {{"shape", shape}, {"fill_value", 0.0}, {"dtype", src.dtype},
                                       {"layout", Layout::ROW_MAJOR}, {"device", static_cast<int64_t>(device.index())}});
  return ops::call1("scatter_add", {{"input", zeros}, {"dim", dim}, {"index", index}, {"src", src}});
}

// Max pooling's input gradient: each output gradient added at the position its index names in its
// [H*W] plane, computed channels-last ([N, H*W, C]) when the gradient is stored so.
at::Tensor max_pool2d_grad(const at::Tensor& grad, const at::Tensor& self, c10::IntArrayRef, c10::IntArrayRef,
                           c10::IntArrayRef, c10::IntArrayRef, bool, const at::Tensor& indices) {
  const c10::Device device = device_of({&grad, &self, &indices});
  if (self.dim() == 3) {
    return max_pool2d_grad(grad.unsqueeze(0), self.unsqueeze(0), {}, {}, {}, {}, false, indices.unsqueeze(0)).squeeze(0);
  }
  if (self.dim() != 4 || grad.scalar_type() != self.scalar_type()) decline("a max pool gradient of this shape or dtype");
  const DataType type = math_type(self.scalar_type());
  if (grad.sizes() != indices.sizes() || grad.numel() == 0) decline("a max pool gradient of another shape than its indices");
  const int64_t n = self.size(0), c = self.size(1), plane = self.size(2) * self.size(3);
  const int64_t out_plane = grad.size(2) * grad.size(3);
  const bool channels_last = grad.permute({0, 2, 3, 1}).is_contiguous();
  auto flat = [&](const at::Tensor& t) {
    return channels_last ? t.permute({0, 2, 3, 1}).reshape({n, out_plane, c}) : t.reshape({n, c, out_plane});
  };
  const std::vector<int64_t> shape = channels_last ? std::vector<int64_t>{n, plane, c} : std::vector<int64_t>{n, c, plane};
  TtTensor result = scatter_add_into_zeros(shape, channels_last ? 1 : 2, index_words(flat(indices)),
                                           cast(to_tt(flat(grad)), type), device);
  const std::vector<int64_t> sizes(self.sizes().begin(), self.sizes().end());
  if (!channels_last) return wrap(result, self.scalar_type(), sizes);
  return wrap(result, self.scalar_type(), sizes, strides_for(sizes, {0, 2, 3, 1}));
}

at::Tensor& max_pool2d_grad_out(const at::Tensor& grad, const at::Tensor& self, c10::IntArrayRef kernel,
                                c10::IntArrayRef stride, c10::IntArrayRef padding, c10::IntArrayRef dilation,
                                bool ceil_mode, const at::Tensor& indices, at::Tensor& out) {
  return copy_out(out, max_pool2d_grad(grad, self, kernel, stride, padding, dilation, ceil_mode, indices));
}

// embedding's weight gradient: each token's output gradient row added to its id's row (none for
// padding_idx).
at::Tensor embedding_grad(const at::Tensor& grad, const at::Tensor& indices, c10::SymInt num_weights_sym,
                          c10::SymInt padding_idx_sym, bool scale_grad_by_freq) {
  const c10::Device device = device_of({&grad, &indices});
  if (scale_grad_by_freq) decline("an embedding gradient scaled by frequency");
  const int64_t num_weights = num_weights_sym.expect_int(), padding_idx = padding_idx_sym.expect_int();
  const DataType type = math_type(grad.scalar_type());
  if (indices.numel() == 0 || grad.dim() < 1) decline("an embedding gradient of no tokens");
  const int64_t width = grad.size(-1), tokens = indices.numel();
  if (grad.numel() != tokens * width) decline("an embedding gradient of another shape than its indices");
  TtTensor ids = index_words(indices.reshape({tokens, 1}));
  ids = ops::call1("expand", {{"input_tensor", ids}, {"output_shape", std::vector<int64_t>{tokens, width}}});
  TtTensor rows = cast(to_tt(grad.reshape({tokens, width})), type);
  if (padding_idx >= 0) {
    TtTensor padding = ops::call1("eq", {{"input_tensor_a", ids}, {"input_tensor_b", static_cast<double>(padding_idx)}});
    rows = ops::call1("where", {{"predicate", padding}, {"true_value", 0.0}, {"false_value", rows}});
  }
  return wrap(scatter_add_into_zeros({num_weights, width}, 0, ids, rows, device), grad.scalar_type(), {num_weights, width});
}

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("convolution_backward_overrideable", TORCH_FN(convolution_backward_kernel));
  m.impl("max_pool2d_with_indices_backward",
         TORCH_FN((Native<ATEN_OP(max_pool2d_with_indices_backward), &max_pool2d_grad>::call)));
  m.impl("max_pool2d_with_indices_backward.grad_input",
         TORCH_FN((Native<ATEN_OP2(max_pool2d_with_indices_backward, grad_input), &max_pool2d_grad_out>::call)));
  m.impl("avg_pool2d_backward", TORCH_FN((Native<ATEN_OP(avg_pool2d_backward), &avg_pool2d_grad>::call)));
  m.impl("avg_pool2d_backward.grad_input",
         TORCH_FN((Native<ATEN_OP2(avg_pool2d_backward, grad_input), &avg_pool2d_grad_out>::call)));
  m.impl("embedding_dense_backward",
         TORCH_FN((Native<ATEN_OP(embedding_dense_backward), &embedding_grad, true>::call)));
}

}  // namespace
}  // namespace ttnn_device::aten
