// Data movement and selection kernels: cat, where, masked_fill, clamp, tril/triu, embedding, arange.
#include <ATen/ATen.h>
#include <ATen/native/Resize.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// torch.cat: promoted dtype, legacy empty 1-d inputs skipped.
at::Tensor& cat_out(const at::ITensorListRef& tensors_ref, int64_t dim, at::Tensor& out) {
  auto tensors = tensors_ref.materialize();
  std::vector<const at::Tensor*> used;
  for (const auto& ref : tensors) {
    const at::Tensor& t = ref.get();
    if (!(t.dim() == 1 && t.size(0) == 0)) used.push_back(&t);
  }
  if (used.empty()) decline("cat of only empty tensors");
  for (const at::Tensor* t : used) device_of({t, &out});
  c10::ScalarType dtype = used.front()->scalar_type();
  for (const at::Tensor* t : used) dtype = c10::promoteTypes(dtype, t->scalar_type());
  const int64_t rank = used.front()->dim();
  dim = c10::maybe_wrap_dim(dim, rank);
  std::vector<int64_t> sizes(used.front()->sizes().begin(), used.front()->sizes().end());
  sizes[dim] = 0;
  // int64, float64 and complex elements: TT-NN has no data type for them, but a concat moves their
  // 32-bit words bit for bit (one more dim of words, the same concat dim).
  bool by_words = !has_math_type(dtype) && out.scalar_type() == dtype;
  for (const at::Tensor* t : used) by_words = by_words && t->scalar_type() == dtype;
  std::vector<TtTensor> parts;
  for (const at::Tensor* t : used) {
    TORCH_CHECK(t->dim() == rank, "Tensors must have same number of dimensions: got ", rank, " and ", t->dim());
    sizes[dim] += t->size(dim);
    if (by_words) {
      if (t->numel() != 0) parts.push_back(to_tt(as_words(*t), /*math=*/false));
      continue;
    }
    if (t->numel() == 0) continue;
    TtTensor part = to_tt(*t, dtype != t->scalar_type());
    if (dtype != t->scalar_type()) part = cast(part, math_type(dtype));
    parts.push_back(part);
  }
  if (out.scalar_type() != dtype && !at::canCast(dtype, out.scalar_type())) {
    TORCH_CHECK(false, "result type ", dtype, " can't be cast to the desired output type ", out.scalar_type());
  }
  at::native::resize_output(out, sizes);
  if (parts.empty() || out.numel() == 0) return out;
  // One layout for all parts (TT-NN's concat takes inputs of one layout).
  const Layout layout = parts.front().layout;
  for (auto& p : parts) {
    if (p.layout != layout) p = ops::call1("to_layout", {{"tensor", p}, {"layout", layout}});
  }
  TtTensor joined = ops::call1("concat", {{"tensors", parts}, {"dim", dim}});
  write_into(by_words ? as_words(out) : out, std::move(joined));
  return out;
}

at::Tensor cat(const at::ITensorListRef& tensors, int64_t dim) {
  auto list = tensors.materialize();
  if (list.empty()) decline("cat of no tensors");
  c10::ScalarType dtype = list.front().get().scalar_type();
  for (const auto& ref : list) dtype = c10::promoteTypes(dtype, ref.get().scalar_type());
  at::Tensor out = at::empty({0}, list.front().get().options().dtype(dtype));
  cat_out(tensors, dim, out);
  return out;
}

// where(condition, self, other) with broadcasting and promotion.
at::Tensor where(const at::Tensor& condition, const at::Tensor& self, const at::Tensor& other) {
  device_of({&condition, &self, &other});
  if (condition.scalar_type() != c10::kBool && condition.scalar_type() != c10::kByte) decline("a non-bool condition");
  const c10::ScalarType dtype = at::result_type(self, other);
  const DataType type = math_type(dtype);
  if (type == DataType::UINT8) decline("where on bool or uint8 values");
  const auto sizes = at::infer_size(at::infer_size(condition.sizes(), self.sizes()), other.sizes());
  auto value = [&](const at::Tensor& t) -> ops::Value { return operand(t, type); };
  ops::Value pred = cast(to_tt(condition, false), type);
  TtTensor result = ops::call1("where", {{"predicate", pred}, {"true_value", value(self)}, {"false_value", value(other)}});
  if (result.shape != std::vector<int64_t>(sizes.begin(), sizes.end())) {
    result = ops::call1("expand", {{"input_tensor", result}, {"output_shape", std::vector<int64_t>(sizes.begin(), sizes.end())}});
  }
  return wrap(result, dtype, sizes);
}

at::Tensor& masked_fill_scalar_(at::Tensor& self, const at::Tensor& mask, const at::Scalar& value) {
  device_of({&self, &mask});
  if (mask.scalar_type() != c10::kBool) decline("a non-bool mask");
  const DataType type = math_type(self.scalar_type());
  if (type == DataType::UINT8) decline("masked_fill of bool or uint8 values");
  TORCH_CHECK(at::infer_size(self.sizes(), mask.sizes()) == self.sizes(), "masked_fill_: the mask of shape ",
              mask.sizes(), " does not broadcast to the tensor's ", self.sizes());
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

at::Tensor clamp(const at::Tensor& self, const std::optional<at::Scalar>& lo, const std::optional<at::Scalar>& hi) {
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
  TtTensor result = ops::call1("embedding", {{"input_tensor", idx}, {"weight", table}});
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
  TTNN_NATIVE("clamp", ATEN_OP(clamp), &clamp);
  TTNN_NATIVE("tril.out", ATEN_OP2(tril, out), &triangle_out<false>);
  TTNN_NATIVE("triu.out", ATEN_OP2(triu, out), &triangle_out<true>);
  m.impl("embedding", TORCH_FN((Native<ATEN_OP(embedding), &embedding, true>::call)));
  TTNN_NATIVE("arange.start_out", ATEN_OP2(arange, start_out), &arange_out);
}

}  // namespace
}  // namespace ttnn_device::aten
