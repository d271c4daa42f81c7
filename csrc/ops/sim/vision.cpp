// The reference device's convolutions, pools and upsampling, in TT-NN's channels-last convention: inputs
// [N, H, W, C] (or flattened [1, 1, N*H*W, C]), outputs flattened [1, 1, N*OH*OW, C] (upsample keeps
// [N, H, W, C]). Convolution is im2col matmul on the card, so tt numerics apply matmul's fidelity.
#include <ATen/ATen.h>

#include <functional>

#include "ops/dispatch.h"
#include "ops/numerics.h"
#include "ops/sim/fidelity.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

std::vector<int64_t> pair_of(const Args& args, const char* name, std::vector<int64_t> fallback) {
  auto v = args.ints(name, fallback);
  return v.size() == 1 ? std::vector<int64_t>{v[0], v[0]} : v;
}

// NCHW values of a channels-last input (a view with channels-last strides).
at::Tensor nchw(const TtTensor& x, int64_t n, int64_t h, int64_t w, int64_t c) {
  return read(x).to(c10::kFloat).reshape({n, h, w, c}).permute({0, 3, 1, 2});
}

// Flattened channels-last output of an NCHW result.
TtTensor flat_nhwc(const at::Tensor& result, c10::Device device, Layout layout, DataType dtype) {
  at::Tensor nhwc = result.permute({0, 2, 3, 1});
  return store(nhwc.reshape({1, 1, nhwc.size(0) * nhwc.size(1) * nhwc.size(2), nhwc.size(3)}), device, layout, dtype);
}

// How the host computes a convolution. The card runs every convolution as an im2col matmul; the host
// takes whichever of its own kernels is fastest for the shape (the same sums, in another order). A 1x1
// convolution is the plain matmul it is, reading and writing the flat rows as stored: measured against
// the CPU's oneDNN kernels (2 threads, batch 2), 96 -> 576 channels on 7x7 91 us against 164 us NCHW and
// 141 us channels-last, 16 -> 72 on 56x56 138 us against 237 and 166 us; within 5% of NCHW at
// 2048 -> 512 on 7x7 (1.56 ms against 1.48 ms), where NCHW would also copy the input and the output.
// Otherwise NCHW wins on small images (up to 20x20: a 3x3 512-channel convolution on 7x7 2.0 ms against
// 2.5 ms channels-last), channels-last on larger images and depthwise convolutions.
enum class ConvKernel { kMatmul, kNchw, kChannelsLast };

ConvKernel conv_kernel(bool transposed, const std::vector<int64_t>& kernel, const std::vector<int64_t>& padding,
                       int64_t groups, int64_t h, int64_t w) {
  if (!transposed && groups == 1 && kernel[0] == 1 && kernel[1] == 1 && padding[0] == 0 && padding[1] == 0) {
    return ConvKernel::kMatmul;
  }
  if (groups == 1 && h * w <= 400) return ConvKernel::kNchw;
  return ConvKernel::kChannelsLast;
}

template <bool kTransposed>
std::vector<TtTensor> conv_impl(const Args& args) {
  const TtTensor& input = args.tensor("input_tensor");
  const TtTensor& weight = args.tensor("weight_tensor");
  const int64_t n = args.integer("batch_size"), h = args.integer("input_height"), w = args.integer("input_width");
  const int64_t cin = args.integer("in_channels"), cout = args.integer("out_channels");
  const auto stride = pair_of(args, "stride", {1, 1});
  const auto padding = pair_of(args, "padding", {0, 0});
  const auto dilation = pair_of(args, "dilation", {1, 1});
  const int64_t groups = args.integer("groups", 1);
  const ConvKernel kernel = conv_kernel(kTransposed, pair_of(args, "kernel_size", {}), padding, groups, h, w);
  const DataType dtype = output_dtype(args, input.dtype);
  // The activations as the chosen kernel takes them, from values read (untilized and cut in one pass in
  // tt numerics: read_cut).
  std::function<at::Tensor(const at::Tensor&)> arranged;
  // The product, with the bias added inside it where `bias` is defined (the host's kernels add it as
  // they write each output: no pass of its own over the result).
  std::function<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor& bias)> product;
  std::function<at::Tensor(uint32_t)> weights;
  if (kernel == ConvKernel::kMatmul) {
    // [N*OH*OW, Cin] rows (every stride-th pixel) times the [Cout, Cin] weight, transposed.
    arranged = [&](const at::Tensor& values) {
      const at::Tensor nhwc = values.reshape({n, h, w, cin});
      const at::Tensor picked = stride[0] == 1 && stride[1] == 1 ? nhwc : nhwc.slice(1, 0, h, stride[0]).slice(2, 0, w, stride[1]);
      return picked.reshape({-1, cin});
    };
    weights = [&](uint32_t mask) { return weight_values(weight, mask).view({cout, cin}); };
    product = [](const at::Tensor& xv, const at::Tensor& wv, const at::Tensor& bias) {
      return bias.defined() ? at::addmm(bias, xv, wv.t()) : at::mm(xv, wv.t());
    };
  } else {
    const bool nchw_kernel = kernel == ConvKernel::kNchw;
    arranged = [&, nchw_kernel](const at::Tensor& values) {
      const at::Tensor x = values.reshape({n, h, w, cin}).permute({0, 3, 1, 2});
      return nchw_kernel ? x.contiguous() : x;
    };
    const c10::MemoryFormat format = nchw_kernel ? c10::MemoryFormat::Contiguous : c10::MemoryFormat::ChannelsLast;
    weights = [&, format](uint32_t mask) { return weight_values(weight, mask, format); };
    product = [&](const at::Tensor& xv, const at::Tensor& wv, const at::Tensor& bias) {
      if (kTransposed) {
        const auto output_padding = pair_of(args, "output_padding", {0, 0});
        return at::conv_transpose2d(xv, wv, bias, stride, padding, output_padding, groups, dilation);
      }
      return at::conv2d(xv, wv, bias, stride, padding, dilation, groups);
    };
  }
  // Weights through weight_values: decoded and cut once while unchanged (conv weights are resident).
  auto activations = [&](uint32_t mask) {
    return arranged(mask == kAllBits ? read(input).to(c10::kFloat) : read_cut(input, mask));
  };
  at::Tensor bias;
  if (auto b = args.optional_tensor("bias_tensor")) bias = weight_values(*b, kAllBits).reshape({-1});
  at::Tensor result = biased_product(
      matmul_fidelity(input.dtype, weight.dtype), activations, weights,
      [&](const at::Tensor& xv, const at::Tensor& wv, bool with_bias) {
        return product(xv, wv, with_bias ? bias : at::Tensor());
      },
      [&](at::Tensor& r) {
        if (bias.defined()) r.add_(kernel == ConvKernel::kMatmul ? bias.reshape({1, -1}) : bias.reshape({1, -1, 1, 1}));
      });
  if (kernel == ConvKernel::kMatmul) {
    return {store(result.reshape({1, 1, result.size(0), result.size(1)}), input.device(), Layout::TILE, dtype)};
  }
  return {flat_nhwc(result, input.device(), Layout::TILE, dtype)};
}

struct PoolInput {
  at::Tensor x;  // NCHW
  const TtTensor* tensor;
};

PoolInput pool_input(const Args& args) {
  const TtTensor& input = args.tensor("input_tensor");
  return {nchw(input, args.integer("batch_size"), args.integer("input_h"), args.integer("input_w"),
               args.integer("channels")),
          &input};
}

std::vector<TtTensor> max_pool2d_impl(const Args& args) {
  auto [x, input] = pool_input(args);
  const auto kernel = pair_of(args, "kernel_size", {}), stride = pair_of(args, "stride", {});
  const auto padding = pair_of(args, "padding", {0, 0}), dilation = pair_of(args, "dilation", {1, 1});
  const bool ceil_mode = args.flag("ceil_mode", false);
  if (!args.flag("return_indices", false)) {  // the values alone: no index bookkeeping
    at::Tensor result = at::max_pool2d(x, kernel, stride, padding, dilation, ceil_mode);
    return {flat_nhwc(result, input->device(), Layout::ROW_MAJOR, input->dtype)};
  }
  auto [result, indices] = at::max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode);
  return {flat_nhwc(result, input->device(), Layout::ROW_MAJOR, input->dtype),
          flat_nhwc(indices, input->device(), Layout::ROW_MAJOR, DataType::UINT32)};
}

std::vector<TtTensor> avg_pool2d_impl(const Args& args) {
  auto [x, input] = pool_input(args);
  std::optional<int64_t> divisor;
  if (args.has("divisor_override")) divisor = args.integer("divisor_override");
  at::Tensor result = at::avg_pool2d(x, pair_of(args, "kernel_size", {}), pair_of(args, "stride", {}),
                                     pair_of(args, "padding", {0, 0}), args.flag("ceil_mode", false),
                                     args.flag("count_include_pad", true), divisor);
  return {flat_nhwc(result, input->device(), Layout::ROW_MAJOR, input->dtype)};
}

template <bool kMax>
std::vector<TtTensor> adaptive_impl(const Args& args) {
  auto [x, input] = pool_input(args);
  const auto size = pair_of(args, "output_size", {});
  at::Tensor result = kMax ? std::get<0>(at::adaptive_max_pool2d(x, size)) : at::adaptive_avg_pool2d(x, size);
  return {flat_nhwc(result, input->device(), Layout::ROW_MAJOR, input->dtype)};
}

// upsample: input [N, H, W, C], output [N, H*sh, W*sw, C].
std::vector<TtTensor> upsample_impl(const Args& args) {
  const TtTensor& input = args.tensor("input_tensor");
  TORCH_CHECK(input.rank() == 4, "upsample takes [N, H, W, C], got ", describe(input));
  at::Tensor x = read(input).to(c10::kFloat).permute({0, 3, 1, 2});
  const auto scale = pair_of(args, "scale_factor", {});
  const std::string mode = args.text("mode", "nearest");
  const std::vector<int64_t> size = {x.size(2) * scale[0], x.size(3) * scale[1]};
  at::Tensor result = mode == "bilinear" ? at::upsample_bilinear2d(x, size, false) : at::upsample_nearest2d(x, size);
  return {store(result.permute({0, 2, 3, 1}), input.device(), input.layout, input.dtype)};
}

const bool registered = [] {
  register_impls("sim", {{"conv2d", conv_impl<false>}, {"conv_transpose2d", conv_impl<true>},
                         {"max_pool2d", max_pool2d_impl}, {"avg_pool2d", avg_pool2d_impl},
                         {"adaptive_avg_pool2d", adaptive_impl<false>}, {"adaptive_max_pool2d", adaptive_impl<true>},
                         {"upsample", upsample_impl}});
  return true;
}();

}  // namespace
}  // namespace ttnn_device::ops::sim
