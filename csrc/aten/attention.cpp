// The fused inference paths PyTorch takes for nn.MultiheadAttention and nn.TransformerEncoderLayer in
// eval (_native_multi_head_attention, _transformer_encoder_layer_fwd), composed from the device's own
// aten ops (linear, scaled_dot_product_attention, softmax, layer_norm, ...), each of which computes
// through the vocabulary, so the fused call never leaves the device.
#include <ATen/ATen.h>
#include <torch/library.h>

#include <cmath>

#include "aten/native.h"
#include "aten/tt_view.h"

namespace ttnn_device::aten {
namespace {

// [B, L, E] -> [B, heads, L, E / heads]
at::Tensor split_heads(const at::Tensor& x, int64_t heads) {
  return x.view({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
}

std::tuple<at::Tensor, at::Tensor> multi_head_attention(
    const at::Tensor& query, const at::Tensor& key, const at::Tensor& value, int64_t embed_dim, int64_t heads,
    const at::Tensor& qkv_weight, const at::Tensor& qkv_bias, const at::Tensor& proj_weight, const at::Tensor& proj_bias,
    const std::optional<at::Tensor>& mask, bool need_weights, bool average_weights, std::optional<int64_t> /*mask_type*/) {
  device_of({&query, &key, &value, &qkv_weight, &qkv_bias, &proj_weight, &proj_bias});
  if (mask && mask->defined()) decline("a fused attention mask");  // merged masks of three kinds
  if (query.dim() != 3 || key.dim() != 3 || value.dim() != 3) decline("fused attention of unbatched inputs");
  if (query.is_nested()) decline("nested tensors");
  TORCH_CHECK(embed_dim % heads == 0, "embed_dim must be divisible by num_heads");
  TORCH_CHECK(query.size(2) == embed_dim, "query's embedding dim must equal embed_dim");
  const int64_t e = embed_dim;
  at::Tensor q, k, v;
  if (query.is_same(key) && key.is_same(value)) {
    auto chunks = at::linear(query, qkv_weight, qkv_bias).chunk(3, -1);
    q = chunks[0], k = chunks[1], v = chunks[2];
  } else {
    q = at::linear(query, qkv_weight.narrow(0, 0, e), qkv_bias.narrow(0, 0, e));
    k = at::linear(key, qkv_weight.narrow(0, e, e), qkv_bias.narrow(0, e, e));
    v = at::linear(value, qkv_weight.narrow(0, 2 * e, e), qkv_bias.narrow(0, 2 * e, e));
  }
  q = split_heads(q, heads), k = split_heads(k, heads), v = split_heads(v, heads);
  at::Tensor context, weights;
  if (need_weights) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(e / heads));
    weights = at::_softmax(at::matmul(q * scale, k.transpose(-2, -1)), -1, false);
    context = at::matmul(weights, v);
    if (average_weights) weights = weights.sum(1) / static_cast<double>(heads);
  } else {
    context = at::scaled_dot_product_attention(q, k, v);
  }
  at::Tensor merged = context.transpose(1, 2).reshape({query.size(0), query.size(1), e});
  return {at::linear(merged, proj_weight, proj_bias), need_weights ? weights : at::Tensor()};
}

at::Tensor transformer_encoder_layer(
    const at::Tensor& src, int64_t embed_dim, int64_t heads, const at::Tensor& qkv_weight, const at::Tensor& qkv_bias,
    const at::Tensor& proj_weight, const at::Tensor& proj_bias, bool use_gelu, bool norm_first, double eps,
    const at::Tensor& norm_weight_1, const at::Tensor& norm_bias_1, const at::Tensor& norm_weight_2,
    const at::Tensor& norm_bias_2, const at::Tensor& ffn_weight_1, const at::Tensor& ffn_bias_1,
    const at::Tensor& ffn_weight_2, const at::Tensor& ffn_bias_2, const std::optional<at::Tensor>& mask,
    std::optional<int64_t> mask_type) {
  device_of({&src, &qkv_weight, &proj_weight, &ffn_weight_1, &ffn_weight_2});
  if (src.is_nested()) decline("nested tensors");
  if (src.dim() != 3) decline("an unbatched encoder layer input");
  const std::vector<int64_t> normalized = {embed_dim};
  auto attention = [&](const at::Tensor& x) {
    // A masked call runs the attention through its own (counted) fallback; the rest stays native.
    return std::get<0>(at::_native_multi_head_attention(x, x, x, embed_dim, heads, qkv_weight, qkv_bias, proj_weight,
                                                        proj_bias, mask, false, true, mask_type));
  };
  auto feed_forward = [&](const at::Tensor& x) {
    at::Tensor hidden = at::linear(x, ffn_weight_1, ffn_bias_1);
    hidden = use_gelu ? at::gelu(hidden) : at::relu(hidden);
    return at::linear(hidden, ffn_weight_2, ffn_bias_2);
  };
  auto norm = [&](const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
    return at::layer_norm(x, normalized, w, b, eps);
  };
  at::Tensor x = src;
  if (norm_first) {
    x = x + attention(norm(x, norm_weight_1, norm_bias_1));
    return x + feed_forward(norm(x, norm_weight_2, norm_bias_2));
  }
  x = norm(x + attention(x), norm_weight_1, norm_bias_1);
  return norm(x + feed_forward(x), norm_weight_2, norm_bias_2);
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("_native_multi_head_attention", ATEN_OP(_native_multi_head_attention), &multi_head_attention);
  TTNN_NATIVE("_transformer_encoder_layer_fwd", ATEN_OP(_transformer_encoder_layer_fwd), &transformer_encoder_layer);
}

}  // namespace
}  // namespace ttnn_device::aten
