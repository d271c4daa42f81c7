// The fused inference paths PyTorch takes for nn.MultiheadAttention and nn.TransformerEncoderLayer in
// eval (_native_multi_head_attention, _transformer_encoder_layer_fwd) and for scaled_dot_product_attention
// (the "overrideable" backend PyTorch offers a PrivateUse1 device), composed from the device's own aten
// ops (linear, matmul, softmax, layer_norm, ...), each of which computes through the vocabulary, so the
// fused call never leaves the device.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/SDPBackend.h>
#include <ATen/core/grad_mode.h>
#include <ATen/native/DispatchStub.h>
#include <ATen/native/transformers/attention.h>
#include <torch/library.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "aten/native.h"
#include "aten/operands.h"
#include "aten/tt_view.h"
#include "ops/dispatch.h"

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

// Whether the overrideable kernel below computes this call: inference only (its backward is PyTorch's
// math path, which the autograd graph records when any input needs a gradient), no dropout, float
// inputs, and q, k and v of one batch, with one head count or (enable_gqa) q's heads a multiple of k's
// and v's. Everything else takes the math path, which composes the same device ops.
bool sdpa_overrideable_fits(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                            const std::optional<at::Tensor>& mask, double dropout_p, bool enable_gqa) {
  const bool needs_grad = at::GradMode::is_enabled() &&
                          (q.requires_grad() || k.requires_grad() || v.requires_grad() ||
                           (mask && mask->defined() && mask->requires_grad()));
  if (needs_grad || dropout_p > 0.0) return false;
  if (q.is_nested() || k.is_nested() || v.is_nested()) return false;
  if (q.dim() < 3 || k.dim() != q.dim() || v.dim() != q.dim()) return false;
  for (const at::Tensor* t : {&k, &v}) {
    if (t->scalar_type() != q.scalar_type() || !t->is_privateuseone()) return false;
    if (t->sizes().slice(0, q.dim() - 3) != q.sizes().slice(0, q.dim() - 3)) return false;  // batch
    const int64_t heads = t->size(-3);
    if (heads != q.size(-3) && !(enable_gqa && heads > 0 && q.size(-3) % heads == 0 && k.size(-3) == v.size(-3))) {
      return false;
    }
  }
  if (q.scalar_type() != c10::kFloat && q.scalar_type() != c10::kBFloat16) return false;
  if (q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2) || q.numel() == 0 || k.numel() == 0 || v.numel() == 0) {
    return false;
  }
  return !mask || !mask->defined() ||
         (mask->is_privateuseone() && (mask->scalar_type() == c10::kBool || mask->scalar_type() == q.scalar_type()));
}

int64_t fused_sdp_choice(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                         const std::optional<at::Tensor>& mask, double dropout_p, bool /*is_causal*/,
                         std::optional<double> /*scale*/, bool enable_gqa) {
  auto& context = at::globalContext();
  if (context.userEnabledOverrideableSDP() && sdpa_overrideable_fits(q, k, v, mask, dropout_p, enable_gqa)) {
    return static_cast<int64_t>(at::SDPBackend::overrideable);
  }
  TORCH_CHECK(context.userEnabledMathSDP(),
              "scaled_dot_product_attention on ttnn: this call needs the math backend, which is disabled (the ttnn "
              "device's fused kernel serves inference without dropout)");
  return static_cast<int64_t>(at::SDPBackend::math);
}

// Queries per block when the score matrix is large: a block's scores ([batch..., rows, S] floats) are
// kept near kBlockScoreBytes so they stay in cache between the product, the softmax and the second
// product, as TT-NN's own SDPA streams Q in chunks. Multiples of a tile, so a block is whole tiles.
constexpr int64_t kBlockScoreBytes = int64_t{4} << 20;
constexpr int64_t kWholeScoreBytes = int64_t{8} << 20;

// softmax(scores * scale) along the last dim: one TT-NN op (scale_mask_softmax).
at::Tensor scaled_softmax(const at::Tensor& scores, double scale) {
  TtTensor t = rows_as_stored(scores, 1);
  return wrap(ops::call1("scale_mask_softmax", {{"input_tensor", t}, {"scale", scale}, {"numeric_stable", true}}),
              scores.scalar_type(), scores.sizes());
}

int64_t query_block_rows(const at::Tensor& q, const at::Tensor& k) {
  const int64_t rows = q.size(-2);
  const int64_t row_bytes = q.numel() / std::max<int64_t>(rows, 1) / q.size(-1) * k.size(-2) * 4;
  if (rows * row_bytes <= kWholeScoreBytes) return rows;
  return std::min(rows, std::max<int64_t>(32, kBlockScoreBytes / row_bytes / 32 * 32));
}

// softmax(q k^T * scale + mask) v as the math path computes it, less its work that inference does not
// need: the scale is applied once, to the products inside the softmax, or to q where a mask comes between
// (the math path scales q and k by sqrt(scale) each, for its backward's sake), and
// where no row can be fully masked (no mask, or the causal one, which keeps each row's first key) the
// plain softmax serves (with a mask, the safe softmax gives fully masked rows 0 as the math path does).
// is_causal masks keys after the query's own index, counted from the top left, as the math path's
// tril does; grouped-query k and v are repeated to q's heads, as the math path repeats them. bfloat16
// computes in float32 and is rounded once, as the math path does. Long sequences run in blocks of queries
// (query_block_rows). The aux outputs exist for a backward this kernel is never chosen for (see
// sdpa_overrideable_fits): they are empty.
std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, c10::SymInt, c10::SymInt, at::Tensor, at::Tensor, at::Tensor>
sdpa_overrideable(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
                  const std::optional<at::Tensor>& attn_bias, double dropout_p, bool is_causal, bool /*return_debug_mask*/,
                  std::optional<double> scale) {
  TORCH_CHECK(dropout_p == 0.0, "the ttnn device's fused attention serves calls without dropout; use the math backend");
  const auto origin = query.scalar_type();
  auto wide = [&](const at::Tensor& t) { return t.scalar_type() == c10::kBFloat16 ? t.to(c10::kFloat) : t; };
  const double factor = scale ? *scale : 1.0 / std::sqrt(static_cast<double>(query.size(-1)));
  const int64_t rows = query.size(-2), block = query_block_rows(query, key);
  // Head views of a projection's rows (q, k and v cut from one fused qkv, or three): split by one TT-NN op
  // into [B, H, S, D] tensors that the products read as stored.
  at::Tensor q_heads = query, k_heads = key, v_heads = value;
  if (auto split = heads_split(query, key, value)) {
    q_heads = wrap((*split)[0], origin, query.sizes());
    k_heads = wrap((*split)[1], origin, key.sizes());
    v_heads = wrap((*split)[2], origin, value.sizes());
  }
  std::optional<at::Tensor> bias;
  if (attn_bias && attn_bias->defined()) bias = wide(*attn_bias);
  if (is_causal) {  // -inf above the diagonal, 0 on and below it
    bias = at::full({rows, key.size(-2)}, -std::numeric_limits<double>::infinity(), query.options().dtype(c10::kFloat))
               .triu(1);
  }
  // Without a bias the scale goes into the softmax (TT-NN's scale_mask_softmax scales the products as it
  // reads them, as the CPU's flash attention does): no pass of its own over q. A bias is added between
  // the two, so q is scaled first there.
  at::Tensor q = bias ? wide(q_heads) * factor : wide(q_heads);
  at::Tensor k = wide(k_heads), v = wide(v_heads);
  if (k.size(-3) != q.size(-3)) {
    const int64_t group = q.size(-3) / k.size(-3);
    k = k.repeat_interleave(group, -3);
    v = v.repeat_interleave(group, -3);
  }
  // Blocks reuse k and v: made contiguous once (k^T is then passed as stored, transposed).
  if (block < rows) k = k.contiguous(), v = v.contiguous();
  const bool safe = attn_bias && attn_bias->defined();
  auto attend = [&](const at::Tensor& q_rows, int64_t first) {
    at::Tensor scores = at::matmul(q_rows, k.transpose(-2, -1));
    if (bias) {
      const bool per_row = bias->dim() >= 2 && bias->size(-2) == rows && q_rows.size(-2) < rows;
      scores.add_(per_row ? bias->narrow(-2, first, q_rows.size(-2)) : *bias);
    }
    if (!bias) return at::matmul(scaled_softmax(scores, factor), v);
    at::Tensor probs = safe ? at::_safe_softmax(scores, -1) : at::_softmax(scores, -1, false);
    return at::matmul(probs, v);
  };
  at::Tensor out;
  if (block >= rows) {
    out = attend(q, 0);
  } else {
    std::vector<at::Tensor> parts;
    for (int64_t first = 0; first < rows; first += block) {
      parts.push_back(attend(q.narrow(-2, first, std::min(block, rows - first)), first));
    }
    out = at::cat(parts, -2);
  }
  if (out.scalar_type() != origin) out = out.to(origin);
  const auto empty = query.options().dtype(c10::kFloat);
  return {out, at::empty({0}, empty), at::Tensor(), at::Tensor(), c10::SymInt(query.size(-2)), c10::SymInt(key.size(-2)),
          at::empty({0}, query.options().dtype(c10::kLong)), at::empty({0}, query.options().dtype(c10::kLong)),
          at::empty({0}, empty)};
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("_native_multi_head_attention", ATEN_OP(_native_multi_head_attention), &multi_head_attention);
  TTNN_NATIVE("_transformer_encoder_layer_fwd", ATEN_OP(_transformer_encoder_layer_fwd), &transformer_encoder_layer);
  // Chosen by scaled_dot_product_attention through _fused_sdp_choice (the op and the dispatch stub).
  m.impl("_fused_sdp_choice", &fused_sdp_choice);
  m.impl("_scaled_dot_product_fused_attention_overrideable", &sdpa_overrideable);
}

}  // namespace
}  // namespace ttnn_device::aten

namespace at::native {
REGISTER_PRIVATEUSE1_DISPATCH(_fused_sdp_choice_stub, &ttnn_device::aten::fused_sdp_choice)
}  // namespace at::native
