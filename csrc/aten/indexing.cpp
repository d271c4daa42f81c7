// Indexing kernels: index_select and index.Tensor with one integer index tensor are TT-NN's embedding
// (rows of a 2-d table) over the indexed dim.
#include <ATen/ATen.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// self's rows along `dim` picked by `indices` (any shape): the result has self's sizes with `dim`
// replaced by indices' sizes.
// Negative indices (allowed by x[idx]) count from the end: idx + size where idx < 0.
at::Tensor take_along(const at::Tensor& self, int64_t dim, const at::Tensor& indices, bool negative_allowed) {
  if (moves_as_words(self) && self.dim() > 0) {
    // int64 / float64 elements: pick their 32-bit words (one more, untouched dim), bit for bit.
    dim = c10::maybe_wrap_dim(dim, self.dim());
    return from_words(take_along(as_words(self), dim, indices, negative_allowed), self.scalar_type());
  }
  math_type(self.scalar_type());
  if (self.dim() == 0) decline("indexing a 0-d tensor");
  if (indices.numel() == 0 || self.numel() == 0) decline("an empty index or tensor");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  // The indexed dim first, everything after it flattened into the table's rows.
  at::Tensor moved = self.movedim(dim, 0);
  const int64_t rows = moved.size(0), width = moved.numel() / rows;
  TtTensor table = to_tt(moved);
  table = ops::call1("reshape", {{"input_tensor", table}, {"shape", std::vector<int64_t>{rows, width}}});
  TtTensor idx = index_words(indices);
  if (negative_allowed) {
    TtTensor negative = ops::call1("lt", {{"input_tensor_a", idx}, {"input_tensor_b", 0.0}});
    TtTensor shift = ops::call1("multiply", {{"input_tensor_a", negative}, {"input_tensor_b", static_cast<double>(rows)}});
    idx = ops::call1("add", {{"input_tensor_a", idx}, {"input_tensor_b", shift}});
  }
  TtTensor picked = ops::call1("embedding", {{"input_tensor", idx}, {"weight", table}, {"dtype", math_type(self.scalar_type())}});
  std::vector<int64_t> gathered(indices.sizes().begin(), indices.sizes().end());
  for (int64_t d = 1; d < moved.dim(); ++d) gathered.push_back(moved.size(d));
  at::Tensor result = wrap(picked, self.scalar_type(), gathered);
  // The index dims where `dim` was.
  if (dim == 0) return result;
  std::vector<int64_t> order;
  const int64_t index_dims = indices.dim();
  for (int64_t d = 0; d < dim; ++d) order.push_back(index_dims + d);
  for (int64_t d = 0; d < index_dims; ++d) order.push_back(d);
  for (int64_t d = index_dims + dim; d < static_cast<int64_t>(gathered.size()); ++d) order.push_back(d);
  return result.permute(order).contiguous();
}

at::Tensor index_select(const at::Tensor& self, int64_t dim, const at::Tensor& index) {
  device_of({&self, &index});
  if (index.dim() > 1) decline("a multi-dim index");  // the CPU raises
  return take_along(self, dim, index, /*negative_allowed=*/false);
}

// x[..., idx, ...]: one integer index tensor, the other dims taken whole.
at::Tensor index_tensor(const at::Tensor& self, const c10::List<std::optional<at::Tensor>>& indices) {
  int64_t dim = -1;
  for (size_t i = 0; i < indices.size(); ++i) {
    const std::optional<at::Tensor> idx = indices[i];
    if (!idx.has_value() || !idx->defined()) continue;
    if (dim >= 0) decline("advanced indexing with several index tensors");
    dim = static_cast<int64_t>(i);
  }
  if (dim < 0) decline("indexing without an index tensor");
  const std::optional<at::Tensor> chosen = indices[dim];
  const at::Tensor idx = *chosen;
  if (idx.scalar_type() == c10::kBool || idx.scalar_type() == c10::kByte) decline("boolean mask indexing");
  device_of({&self, &idx});
  return take_along(self, dim, idx, /*negative_allowed=*/true);
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("index_select", ATEN_OP(index_select), &index_select);
  TTNN_NATIVE("index.Tensor", ATEN_OP2(index, Tensor), &index_tensor);
}

}  // namespace
}  // namespace ttnn_device::aten
