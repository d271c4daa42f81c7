// Data movement and selection kernels: cat, where, masked_fill, clamp, tril/triu, embedding, arange.
#include <ATen/ATen.h>
#include <ATen/MemoryOverlap.h>
#include <ATen/native/Resize.h>
#include <torch/library.h>

#include <algorithm>
#include <numeric>

#include "aten/int64_math.h"
#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// The dim order cat computes in: the parts' common memory order when `out` has it too (channels-last
// parts then join as the [..., C] rows they are stored as), else the view order.
std::vector<int64_t> cat_order(const std::vector<const at::Tensor*>& used, const at::Tensor& out, bool by_words) {
  std::vector<int64_t> identity(out.dim());
  std::iota(identity.begin(), identity.end(), 0);
  if (by_words || !out.is_non_overlapping_and_dense()) return identity;
  const DimOrder order = memory_order(out);
  if (is_identity(order)) return identity;
  for (const at::Tensor* t : used) {
    if (t->numel() != 0 && (!t->is_non_overlapping_and_dense() || memory_order(*t) != order)) return identity;
  }
  return {order.begin(), order.end()};
}

// The leading dims (before the cat dim `pos`) as the parts' TILE buffers store them, when one is stored
// so and every part can be viewed so: a conv's [1, 1, N*H*W, C] outputs join along C with no re-tiling.
std::optional<std::vector<int64_t>> stored_lead(const std::vector<at::Tensor>& parts, int64_t pos) {
  for (const at::Tensor& p : parts) {
    auto stored = tile_stored_shape(p);
    if (!stored) continue;
    const int64_t k = p.dim() - pos;
    if (static_cast<int64_t>(stored->size()) < k ||
        !std::equal(stored->end() - k, stored->end(), p.sizes().end() - k)) {
      return std::nullopt;
    }
    std::vector<int64_t> lead(stored->begin(), stored->end() - k);
    if (c10::IntArrayRef(lead) == p.sizes().slice(0, pos)) return std::nullopt;  // nothing to re-view
    for (const at::Tensor& q : parts) {
      if (!q.is_contiguous()) return std::nullopt;
    }
    return lead;
  }
  return std::nullopt;
}

// torch.cat: promoted dtype, legacy empty 1-d inputs skipped.
at::Tensor& cat_out(const at::ITensorListRef& tensors_ref, int64_t dim, at::Tensor& out) {
  auto tensors = tensors_ref.materialize();
  std::vector<const at::Tensor*> used;
  for (const auto& ref : tensors) {
    const at::Tensor& t = ref.get();
    if (!(t.dim() == 1 && t.size(0) == 0)) used.push_back(&t);
  }
  if (used.empty()) decline("cat of only empty tensors");
  // Zero-dimensional inputs have no dim to join along: the CPU kernel raises torch's error for them.
  for (const at::Tensor* t : used) {
    if (t->dim() == 0) decline("cat of a zero-dimensional tensor (torch raises)");
  }
  for (const at::Tensor* t : used) device_of({t, &out});
  c10::ScalarType dtype = used.front()->scalar_type();
  for (const at::Tensor* t : used) dtype = c10::promoteTypes(dtype, t->scalar_type());
  const int64_t rank = used.front()->dim();
  dim = c10::maybe_wrap_dim(dim, rank);
  std::vector<int64_t> sizes(used.front()->sizes().begin(), used.front()->sizes().end());
  sizes[dim] = 0;
  for (size_t i = 0; i < used.size(); ++i) {
    const at::Tensor& t = *used[i];
    TORCH_CHECK(t.dim() == rank, "Tensors must have same number of dimensions: got ", rank, " and ", t.dim());
    for (int64_t d = 0; d < rank; ++d) {
      TORCH_CHECK(d == dim || t.size(d) == sizes[d], "Sizes of tensors must match except in dimension ", dim,
                  ". Expected size ", sizes[d], " but got size ", t.size(d), " for tensor number ", i, " in the list.");
    }
    sizes[dim] += t.size(dim);
  }
  // An out= sharing memory with an input is an error, raised as the CPU raises it.
  for (const auto& ref : tensors) at::assert_no_overlap(out, ref.get());
  if (out.scalar_type() != dtype && !at::canCast(dtype, out.scalar_type())) {
    TORCH_CHECK(false, "result type ", dtype, " can't be cast to the desired output type ", out.scalar_type());
  }
  at::native::resize_output(out, sizes);
  // int64, float64 and complex elements: TT-NN has no data type for them, but a concat moves their
  // 32-bit words bit for bit (one more dim of words, the same concat dim).
  bool by_words = !has_math_type(dtype) && out.scalar_type() == dtype;
  for (const at::Tensor* t : used) by_words = by_words && t->scalar_type() == dtype;
  const std::vector<int64_t> order = cat_order(used, out, by_words);
  const int64_t pos = std::find(order.begin(), order.end(), dim) - order.begin();
  std::vector<at::Tensor> in_memory_order;
  for (const at::Tensor* t : used) {
    if (t->numel() != 0) in_memory_order.push_back(by_words ? as_words(*t) : *in_order(*t, rank, order));
  }
  if (in_memory_order.empty() || out.numel() == 0) return out;
  const auto lead = by_words ? std::nullopt : stored_lead(in_memory_order, pos);
  std::vector<TtTensor> parts;
  for (at::Tensor& t : in_memory_order) {
    if (lead) {
      std::vector<int64_t> shape = *lead;
      shape.insert(shape.end(), t.sizes().begin() + pos, t.sizes().end());
      t = t.view(shape);
    }
    if (by_words) {
      parts.push_back(to_tt(t, /*math=*/false));
      continue;
    }
    TtTensor part = to_tt(t, dtype != t.scalar_type());
    if (dtype != t.scalar_type()) part = cast(part, math_type(dtype));
    parts.push_back(part);
  }
  // One layout for all parts (TT-NN's concat takes inputs of one layout): the one most elements are in, so
  // the fewest are converted (a DenseNet block joins one pooled ROW_MAJOR input to many TILE features).
  int64_t tiled = 0, total = 0;
  for (const TtTensor& p : parts) {
    total += p.numel();
    if (p.layout == Layout::TILE) tiled += p.numel();
  }
  const Layout layout = 2 * tiled == total ? parts.front().layout : 2 * tiled > total ? Layout::TILE : Layout::ROW_MAJOR;
  for (auto& p : parts) {
    if (p.layout != layout) p = ops::call1("to_layout", {{"tensor", p}, {"layout", layout}});
  }
  const int64_t concat_dim = lead ? static_cast<int64_t>(lead->size()) : pos;
  TtTensor joined = ops::call1("concat", {{"tensors", parts}, {"dim", concat_dim}});
  if (by_words) {
    write_into(as_words(out), std::move(joined));
  } else {
    write_in_order(out, std::move(joined), order);
  }
  return out;
}

// The CPU's cat keeps its inputs' memory format when they all share one.
c10::MemoryFormat cat_memory_format(const at::ITensorListRef::materialized_type& list) {
  std::optional<c10::MemoryFormat> format;
  for (const at::Tensor& t : list) {
    const c10::MemoryFormat f = t.suggest_memory_format();
    if (f == c10::MemoryFormat::Contiguous || (format && *format != f)) return c10::MemoryFormat::Contiguous;
    format = f;
  }
  return format.value_or(c10::MemoryFormat::Contiguous);
}

at::Tensor cat(const at::ITensorListRef& tensors, int64_t dim) {
  auto list = tensors.materialize();
  if (list.empty()) decline("cat of no tensors");
  c10::ScalarType dtype = list.front().get().scalar_type();
  for (const auto& ref : list) dtype = c10::promoteTypes(dtype, ref.get().scalar_type());
  at::Tensor out = at::empty({0}, list.front().get().options().dtype(dtype));
  const c10::MemoryFormat format = cat_memory_format(list);
  if (format != c10::MemoryFormat::Contiguous) {
    // The output's sizes, laid out in the inputs' format before cat_out fills it.
    const auto& first = list.front().get();
    std::vector<int64_t> sizes(first.sizes().begin(), first.sizes().end());
    const int64_t d = c10::maybe_wrap_dim(dim, first.dim());
    sizes[d] = 0;
    for (const auto& ref : list) sizes[d] += ref.get().size(d);
    out = at::empty(sizes, list.front().get().options().dtype(dtype).memory_format(format));
  }
  cat_out(tensors, dim, out);
  return out;
}

// where(condition, self, other) with broadcasting and promotion.
at::Tensor where(const at::Tensor& condition, const at::Tensor& self, const at::Tensor& other) {
  device_of({&condition, &self, &other});
  if (condition.scalar_type() != c10::kBool && condition.scalar_type() != c10::kByte) decline("a non-bool condition");
  const c10::ScalarType dtype = at::result_type(self, other);
  if (dtype == c10::kLong) return int64_where(condition, self, other);
  // bool / uint8 values are selected as INT32 numbers (TT-NN's where takes no UINT8).
  const DataType type = math_type(dtype) == DataType::UINT8 ? DataType::INT32 : math_type(dtype);
  const auto sizes = at::infer_size(at::infer_size(condition.sizes(), self.sizes()), other.sizes());
  auto value = [&](const at::Tensor& t) -> ops::Value { return operand(t, type); };
  ops::Value pred = cast(to_tt(condition, false), type);
  TtTensor result = ops::call1("where", {{"predicate", pred}, {"true_value", value(self)}, {"false_value", value(other)}});
  if (result.shape != std::vector<int64_t>(sizes.begin(), sizes.end())) {
    result = ops::call1("expand", {{"input_tensor", result}, {"output_shape", std::vector<int64_t>(sizes.begin(), sizes.end())}});
  }
  return wrap(result, dtype, sizes);  // (wrap casts INT32 back to bool / uint8 bits)
}

at::Tensor& masked_fill_scalar_(at::Tensor& self, const at::Tensor& mask, const at::Scalar& value) {
  device_of({&self, &mask});
  if (mask.scalar_type() != c10::kBool) decline("a non-bool mask");
  TORCH_CHECK(at::infer_size(self.sizes(), mask.sizes()) == self.sizes(), "masked_fill_: the mask of shape ",
              mask.sizes(), " does not broadcast to the tensor's ", self.sizes());
  if (self.scalar_type() == c10::kLong) {  // positions and token ids: the value's words, bit for bit
    self.copy_(int64_masked_fill(self, mask, value.toLong()));
    return self;
  }
  const DataType type = math_type(self.scalar_type());
  if (type == DataType::UINT8) decline("masked_fill of bool or uint8 values");
  TtTensor pred = cast(to_tt(mask, false), type);
  TtTensor x = to_tt(self);
  TtTensor result = ops::call1("where", {{"predicate", pred}, {"true_value", operand(value)}, {"false_value", x}});
  if (result.shape != std::vector<int64_t>(self.sizes().begin(), self.sizes().end())) {
    result = ops::call1("expand", {{"input_tensor", result}, {"output_shape", std::vector<int64_t>(self.sizes().begin(), self.sizes().end())}});
  }
  write_into(self, std::move(result));
  return self;
}

at::Tensor& masked_fill_tensor_(at::Tensor& self, const at::Tensor& mask, const at::Tensor& value) {
  TORCH_CHECK(value.dim() == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
              value.dim(), " dimension(s).");
  if (core::is_ttnn(value)) decline("a masked_fill value on the device");
  return masked_fill_scalar_(self, mask, value.item());
}

at::Tensor clamp_bounds(const at::Tensor& self, const std::optional<at::Scalar>& lo, const std::optional<at::Scalar>& hi) {
  device_of({&self});
  if (!lo && !hi) decline("clamp without bounds");  // the CPU raises
  if (!at::isFloatingType(self.scalar_type())) decline("clamp of an integer tensor");
  if ((lo && lo->isFloatingPoint() && std::isnan(lo->toDouble())) || (hi && hi->isFloatingPoint() && std::isnan(hi->toDouble()))) {
    decline("a NaN clamp bound");
  }
  ops::Args args{{"input_tensor", cast(to_tt(self), math_type(self.scalar_type()))}};
  if (lo) args.set("min", lo->toDouble());
  if (hi) args.set("max", hi->toDouble());
  return wrap(ops::call1("clamp", args), self.scalar_type(), self.sizes());
}

at::Tensor& clamp_bounds_out(const at::Tensor& self, const std::optional<at::Scalar>& lo, const std::optional<at::Scalar>& hi,
                             at::Tensor& out) {
  return copy_out(out, clamp_bounds(self, lo, hi));
}
at::Tensor& clamp_bounds_(at::Tensor& self, const std::optional<at::Scalar>& lo, const std::optional<at::Scalar>& hi) {
  return clamp_bounds_out(self, lo, hi, self);
}
// clamp_min / clamp_max: clamp with one bound, in the functional, out= and in-place forms.
template <bool kUpper>
at::Tensor one_bound(const at::Tensor& self, const at::Scalar& bound) {
  return kUpper ? clamp_bounds(self, std::nullopt, bound) : clamp_bounds(self, bound, std::nullopt);
}
template <bool kUpper>
at::Tensor& one_bound_out(const at::Tensor& self, const at::Scalar& bound, at::Tensor& out) {
  return copy_out(out, one_bound<kUpper>(self, bound));
}
template <bool kUpper>
at::Tensor& one_bound_(at::Tensor& self, const at::Scalar& bound) {
  return one_bound_out<kUpper>(self, bound, self);
}

template <bool kUpper>
at::Tensor& triangle_out(const at::Tensor& self, int64_t diagonal, at::Tensor& out) {
  device_of({&self, &out});
  if (self.dim() < 2) decline("tril/triu of a tensor with fewer than two dims");
  TtTensor t = to_tt(self, false);
  write_out(out, ops::call1(kUpper ? "triu" : "tril", {{"input_tensor", t}, {"diagonal", diagonal}}), self.sizes());
  return out;
}

at::Tensor embedding(const at::Tensor& weight, const at::Tensor& indices, c10::SymInt /*padding_idx*/,
                     bool /*scale_grad_by_freq*/, bool /*sparse*/) {
  device_of({&weight, &indices});
  if (weight.dim() != 2) decline("an embedding table that is not 2-d");
  math_type(weight.scalar_type());
  if (indices.numel() == 0) decline("no indices");
  TtTensor idx = index_words(indices);
  TtTensor table = to_tt(weight);
  std::vector<int64_t> sizes(indices.sizes().begin(), indices.sizes().end());
  sizes.push_back(weight.size(1));
  // The rows in the tensor's own data type, whatever format the table is stored in (block floats have no
  // row-major form).
  TtTensor result = ops::call1("embedding", {{"input_tensor", idx}, {"weight", table}, {"dtype", math_type(weight.scalar_type())}});
  return wrap(result, weight.scalar_type(), sizes);
}

at::Tensor& arange_out(const at::Scalar& start, const at::Scalar& end, const at::Scalar& step, at::Tensor& out) {
  device_of({&out});
  const c10::ScalarType dtype = out.scalar_type();
  const double s = start.toDouble(), e = end.toDouble(), st = step.toDouble();
  TORCH_CHECK(st != 0, "step must be nonzero");
  const int64_t n = static_cast<int64_t>(std::ceil((e - s) / st));
  TORCH_CHECK(n >= 0, "upper bound and larger bound inconsistent with step sign");
  const bool int64 = dtype == c10::kLong;
  if (int64 && (std::abs(s) >= 2147483648.0 || std::abs(s + st * n) >= 2147483648.0)) decline("int64 arange past 32 bits");
  if (!int64) math_type(dtype);
  if (dtype == c10::kBool || dtype == c10::kByte) decline("arange of bool or uint8");
  if (dtype == c10::kBFloat16) decline("bfloat16 arange");  // torch computes it in float then rounds per element
  if (n == 0) {
    at::native::resize_output(out, {0});
    return out;
  }
  const DataType type = int64 ? DataType::INT32 : math_type(dtype);
  TtTensor values = ops::call1("arange", {{"start", s}, {"end", e}, {"step", st}, {"dtype", type},
                                          {"device", static_cast<int64_t>(out.device().index())}});
  at::native::resize_output(out, {n});
  if (int64) {
    at::Tensor result = wrap_int64(values, {n});
    out.copy_(result);
  } else {
    write_into(out, std::move(values));
  }
  return out;
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("cat", ATEN_OP(cat), &cat);
  TTNN_NATIVE("cat.out", ATEN_OP2(cat, out), &cat_out);
  TTNN_NATIVE("where.self", ATEN_OP2(where, self), &where);
  TTNN_NATIVE("masked_fill_.Scalar", ATEN_OP2(masked_fill_, Scalar), &masked_fill_scalar_);
  TTNN_NATIVE("masked_fill_.Tensor", ATEN_OP2(masked_fill_, Tensor), &masked_fill_tensor_);
  TTNN_NATIVE("clamp", ATEN_OP(clamp), &clamp_bounds);
  TTNN_NATIVE("clamp.out", ATEN_OP2(clamp, out), &clamp_bounds_out);
  TTNN_NATIVE("clamp_", ATEN_OP(clamp_), &clamp_bounds_);
  TTNN_NATIVE("clamp_min", ATEN_OP(clamp_min), &one_bound<false>);
  TTNN_NATIVE("clamp_min.out", ATEN_OP2(clamp_min, out), &one_bound_out<false>);
  TTNN_NATIVE("clamp_min_", ATEN_OP(clamp_min_), &one_bound_<false>);
  TTNN_NATIVE("clamp_max", ATEN_OP(clamp_max), &one_bound<true>);
  TTNN_NATIVE("clamp_max.out", ATEN_OP2(clamp_max, out), &one_bound_out<true>);
  TTNN_NATIVE("clamp_max_", ATEN_OP(clamp_max_), &one_bound_<true>);
  TTNN_NATIVE("tril.out", ATEN_OP2(tril, out), &triangle_out<false>);
  TTNN_NATIVE("triu.out", ATEN_OP2(triu, out), &triangle_out<true>);
  m.impl("embedding", TORCH_FN((Native<ATEN_OP(embedding), &embedding, true>::call)));
  TTNN_NATIVE("arange.start_out", ATEN_OP2(arange, start_out), &arange_out);
}

}  // namespace
}  // namespace ttnn_device::aten
