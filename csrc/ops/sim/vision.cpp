// The reference device's convolutions, pools and upsampling, in TT-NN's channels-last convention: inputs
// [N, H, W, C] (or flattened [1, 1, N*H*W, C]), outputs flattened [1, 1, N*OH*OW, C] (upsample keeps
// [N, H, W, C]). Convolution is im2col matmul on the card, so tt numerics apply matmul's fidelity.
#include <ATen/ATen.h>

#include <map>
#include <utility>

#include "ops/dispatch.h"
#include "ops/numerics.h"
#include "ops/sim/host.h"
#include "ops/sim/staging.h"

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

// The values with only the mantissa bits `mask` keeps, in the same memory format (channels-last stays
// channels-last, which the CPU's convolution needs to run fast).
at::Tensor bits(const at::Tensor& x, uint32_t mask) {
  at::Tensor out = x.is_non_overlapping_and_dense() ? staging_empty_like(x) : at::empty_like(x);
  at::Tensor out_words = out.view(c10::kInt);
  at::bitwise_and_out(out_words, x.view(c10::kInt), static_cast<int32_t>(mask));
  return out;
}

// A weight as SrcA sees it, kept while the weight is unchanged: weights are read by every forward, and
// cutting their bits anew each call would cost a pass over every weight per layer.
at::Tensor weight_bits(const TtTensor& weight, const at::Tensor& values, uint32_t mask) {
  struct Entry {
    c10::weak_intrusive_ptr<c10::StorageImpl> storage;
    uint64_t generation;
    at::Tensor bits;
  };
  thread_local std::map<std::pair<const void*, uint32_t>, Entry> cache;
  core::DeviceBuffer* buffer = weight.buffer();
  if (!buffer) return bits(values, mask);
  if (cache.size() > 1024) {
    for (auto it = cache.begin(); it != cache.end();) it = it->second.storage.expired() ? cache.erase(it) : std::next(it);
  }
  const std::pair<const void*, uint32_t> key{weight.storage.unsafeGetStorageImpl(), mask};
  const uint64_t generation = buffer->generation();
  auto it = cache.find(key);
  if (it != cache.end() && !it->second.storage.expired() && it->second.generation == generation &&
      it->second.bits.sizes() == values.sizes()) {
    return it->second.bits;
  }
  at::Tensor cut = bits(values.contiguous(), mask);
  cache.insert_or_assign(key, Entry{c10::weak_intrusive_ptr<c10::StorageImpl>(c10::intrusive_ptr<c10::StorageImpl>::reclaim_copy(
                                        weight.storage.unsafeGetStorageImpl())),
                                    generation, cut});
  return cut;
}

// Convolution with activations cut as SrcB and weights as SrcA see them (see matmul.cpp).
template <class Conv>
at::Tensor fidelity_conv(const at::Tensor& x, const TtTensor& weight, const at::Tensor& w, MathFidelity fidelity,
                         Conv conv) {
  constexpr uint32_t a_hi = 0xFFF80000u, a_tf = 0xFFFFC000u, b_hi = 0xFFFE0000u, b_tf = 0xFFFFE000u;
  switch (fidelity) {
    case MathFidelity::kLoFi: return conv(bits(x, b_hi), weight_bits(weight, w, a_hi));
    case MathFidelity::kHiFi2: return conv(bits(x, b_hi), weight_bits(weight, w, a_tf));
    case MathFidelity::kHiFi4: return conv(bits(x, b_tf), weight_bits(weight, w, a_tf));
    case MathFidelity::kHiFi3:
      return conv(bits(x, b_tf), weight_bits(weight, w, a_tf)) -
             conv(bits(x, b_tf) - bits(x, b_hi), weight_bits(weight, w, a_tf) - weight_bits(weight, w, a_hi));
  }
  return conv(x, w);
}

template <bool kTransposed>
std::vector<TtTensor> conv_impl(const Args& args) {
  const TtTensor& input = args.tensor("input_tensor");
  const TtTensor& weight = args.tensor("weight_tensor");
  const int64_t n = args.integer("batch_size"), h = args.integer("input_height"), w = args.integer("input_width");
  const int64_t cin = args.integer("in_channels");
  at::Tensor x = nchw(input, n, h, w, cin);
  at::Tensor wt = read(weight).to(c10::kFloat);
  const auto stride = pair_of(args, "stride", {1, 1});
  const auto padding = pair_of(args, "padding", {0, 0});
  const auto dilation = pair_of(args, "dilation", {1, 1});
  const int64_t groups = args.integer("groups", 1);
  std::optional<at::Tensor> bias;
  if (auto b = args.optional_tensor("bias_tensor")) bias = read(*b).to(c10::kFloat).reshape({-1});
  auto conv = [&](const at::Tensor& xv, const at::Tensor& wv) {
    if (kTransposed) {
      const auto output_padding = pair_of(args, "output_padding", {0, 0});
      return at::conv_transpose2d(xv, wv, {}, stride, padding, output_padding, groups, dilation);
    }
    return at::conv2d(xv, wv, {}, stride, padding, dilation, groups);
  };
  at::Tensor result = numerics() == Numerics::kExact ? conv(x, wt)
                                                     : fidelity_conv(x, weight, wt, matmul_fidelity(input.dtype, weight.dtype), conv);
  if (bias) result = result + bias->reshape({1, -1, 1, 1});
  const DataType dtype = output_dtype(args, input.dtype);
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
  auto [result, indices] = at::max_pool2d_with_indices(x, pair_of(args, "kernel_size", {}), pair_of(args, "stride", {}),
                                                       pair_of(args, "padding", {0, 0}), pair_of(args, "dilation", {1, 1}),
                                                       args.flag("ceil_mode", false));
  std::vector<TtTensor> outs = {flat_nhwc(result, input->device(), Layout::ROW_MAJOR, input->dtype)};
  if (args.flag("return_indices", false)) outs.push_back(flat_nhwc(indices, input->device(), Layout::ROW_MAJOR, DataType::UINT32));
  return outs;
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
