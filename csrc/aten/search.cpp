// Membership and ordered search by comparison: isin (each element against every test element: equal
// anywhere), searchsorted and bucketize (the insertion point is how many boundaries lie before the value:
// below it, or at or below it for right=True). Both compare all pairs, so they cost elements x tests;
// counts are summed in FLOAT32 (exact below 2^24 boundaries).
#include <ATen/ATen.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

constexpr int64_t kPairLimit = int64_t{1} << 26;  // elements x tests compared at once

at::Tensor isin_values(const at::Tensor& elements, const at::Tensor& tests, bool invert) {
  device_of({&elements, &tests});
  if (elements.numel() == 0 || tests.numel() == 0) decline("isin with no elements or no test elements");
  if (elements.numel() * tests.numel() > kPairLimit) decline("isin of more than 2^26 element pairs");
  const c10::ScalarType common = at::result_type(elements, tests);
  const at::Tensor equal = elements.reshape({-1, 1}).to(common).eq(tests.reshape({1, -1}).to(common));
  const at::Tensor found = equal.any(1).reshape(elements.sizes());
  return invert ? found.logical_not() : found;
}

at::Tensor isin_tensor_tensor(const at::Tensor& elements, const at::Tensor& tests, bool /*unique*/, bool invert) {
  return isin_values(elements, tests, invert);
}

at::Tensor isin_tensor_scalar(const at::Tensor& elements, const at::Scalar& test, bool /*unique*/, bool invert) {
  device_of({&elements});
  const at::Tensor found = elements.eq(test);
  return invert ? found.logical_not() : found;
}

// The insertion points of `values` into the sorted last dim of `boundaries` (1-d: for every value).
at::Tensor insertion_points(const at::Tensor& boundaries, const at::Tensor& values, bool out_int32, bool right,
                            const std::optional<at::Tensor>& sorter) {
  device_of({&boundaries, &values});
  TORCH_CHECK(boundaries.dim() == 1 || (boundaries.dim() == values.dim() &&
                                        boundaries.sizes().slice(0, boundaries.dim() - 1) ==
                                            values.sizes().slice(0, values.dim() - 1)),
              "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
              "boundaries tensor and input value tensor must match, but we got boundaries tensor ",
              boundaries.sizes(), " and input value tensor ", values.sizes());
  const c10::ScalarType index_type = out_int32 ? at::kInt : at::kLong;
  if (values.dim() == 0) {
    return insertion_points(boundaries, values.reshape({1}), out_int32, right, sorter).reshape({});
  }
  if (values.numel() == 0) return at::empty(values.sizes(), values.options().dtype(index_type));
  if (boundaries.size(-1) == 0) return at::zeros(values.sizes(), values.options().dtype(index_type));
  if (boundaries.size(-1) >= (int64_t{1} << 24)) decline("searchsorted over 2^24 boundaries or more");
  if (values.numel() * boundaries.size(-1) > kPairLimit) decline("searchsorted of more than 2^26 value pairs");
  const at::Tensor ordered = sorter ? boundaries.gather(-1, *sorter) : boundaries;
  const c10::ScalarType common = at::result_type(ordered, values);
  // [..., values, 1] against [..., 1, boundaries] (1-d boundaries broadcast over every value).
  const at::Tensor v = values.to(common).unsqueeze(-1);
  const at::Tensor b = ordered.to(common).unsqueeze(boundaries.dim() == 1 ? 0 : -2);
  const at::Tensor before = right ? b.le(v) : b.lt(v);
  const at::Tensor count = before.to(at::kFloat).sum(-1).to(at::kInt);
  return out_int32 ? count : count.to(at::kLong);
}

bool side_is_right(bool right, const std::optional<c10::string_view>& side) {
  if (!side) return right;
  TORCH_CHECK(*side == "left" || *side == "right", "torch.searchsorted(): side can only be 'left' or 'right' but got ", *side);
  TORCH_CHECK(!right || *side == "right", "torch.searchsorted(): side and right can't be set to opposites, got side of ",
              *side, " while right was True");
  return *side == "right";
}

at::Tensor searchsorted_tensor(const at::Tensor& boundaries, const at::Tensor& values, bool out_int32, bool right,
                               std::optional<c10::string_view> side, const std::optional<at::Tensor>& sorter) {
  return insertion_points(boundaries, values, out_int32, side_is_right(right, side), sorter);
}

at::Tensor searchsorted_scalar(const at::Tensor& boundaries, const at::Scalar& value, bool out_int32, bool right,
                               std::optional<c10::string_view> side, const std::optional<at::Tensor>& sorter) {
  device_of({&boundaries});
  TORCH_CHECK(boundaries.dim() == 1, "torch.searchsorted(): input value can be a scalar only when boundaries tensor "
              "dimension is 1, but we got boundaries tensor dim(", boundaries.dim(), ")");
  const at::Tensor v = at::full({}, value, boundaries.options().dtype(at::result_type(boundaries, value)));
  return insertion_points(boundaries, v, out_int32, side_is_right(right, side), sorter);
}

at::Tensor& searchsorted_tensor_out(const at::Tensor& boundaries, const at::Tensor& values, bool out_int32, bool right,
                                    std::optional<c10::string_view> side, const std::optional<at::Tensor>& sorter,
                                    at::Tensor& out) {
  return copy_out(out, searchsorted_tensor(boundaries, values, out_int32, right, side, sorter));
}

at::Tensor bucketize_tensor(const at::Tensor& values, const at::Tensor& boundaries, bool out_int32, bool right) {
  TORCH_CHECK(boundaries.dim() == 1, "boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(), ")");
  return insertion_points(boundaries, values, out_int32, right, std::nullopt);
}

at::Tensor& bucketize_tensor_out(const at::Tensor& values, const at::Tensor& boundaries, bool out_int32, bool right,
                                 at::Tensor& out) {
  return copy_out(out, bucketize_tensor(values, boundaries, out_int32, right));
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("isin.Tensor_Tensor", ATEN_OP2(isin, Tensor_Tensor), &isin_tensor_tensor);
  TTNN_NATIVE("isin.Tensor_Scalar", ATEN_OP2(isin, Tensor_Scalar), &isin_tensor_scalar);
  TTNN_NATIVE("searchsorted.Tensor", ATEN_OP2(searchsorted, Tensor), &searchsorted_tensor);
  TTNN_NATIVE("searchsorted.Scalar", ATEN_OP2(searchsorted, Scalar), &searchsorted_scalar);
  TTNN_NATIVE("searchsorted.Tensor_out", ATEN_OP2(searchsorted, Tensor_out), &searchsorted_tensor_out);
  TTNN_NATIVE("bucketize.Tensor", ATEN_OP2(bucketize, Tensor), &bucketize_tensor);
  TTNN_NATIVE("bucketize.Tensor_out", ATEN_OP2(bucketize, Tensor_out), &bucketize_tensor_out);
}

}  // namespace
}  // namespace ttnn_device::aten
