// Indexing kernels: index_select and index.Tensor (integer index tensors or boolean masks on adjacent dims) are TT-NN's
// embedding (rows of a 2-d table) over the indexed dim; scatter (src or one value) is TT-NN's scatter.
#include <ATen/ATen.h>
#include <torch/library.h>

#include <algorithm>

#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// An index tensor as TT-NN's 32-bit indices into a dim of `size` (negative ones, where allowed, counted
// from the end: idx + size where idx < 0).
TtTensor index_into(const at::Tensor& indices, int64_t size, bool negative_allowed) {
  TtTensor idx = index_words(indices);
  if (!negative_allowed) return idx;
  TtTensor negative = ops::call1("lt", {{"input_tensor_a", idx}, {"input_tensor_b", 0.0}});
  TtTensor shift = ops::call1("multiply", {{"input_tensor_a", negative}, {"input_tensor_b", static_cast<double>(size)}});
  return ops::call1("add", {{"input_tensor_a", idx}, {"input_tensor_b", shift}});
}

// self's rows along `dim` picked by `idx` (32-bit indices of sizes `index_sizes`): the result has self's
// sizes with `dim` replaced by the index's sizes.
at::Tensor take_along(const at::Tensor& self, int64_t dim, const TtTensor& idx, c10::IntArrayRef index_sizes) {
  if (moves_as_words(self) && self.dim() > 0) {
    // int64 / float64 elements: pick their 32-bit words (one more, untouched dim), bit for bit.
    dim = c10::maybe_wrap_dim(dim, self.dim());
    return from_words(take_along(as_words(self), dim, idx, index_sizes), self.scalar_type());
  }
  math_type(self.scalar_type());
  if (self.dim() == 0) decline("indexing a 0-d tensor");
  if (idx.numel() == 0 || self.numel() == 0) decline("an empty index or tensor");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  // The indexed dim first, everything after it flattened into the table's rows.
  at::Tensor moved = self.movedim(dim, 0);
  const int64_t rows = moved.size(0), width = moved.numel() / rows;
  TtTensor table = to_tt(moved);
  table = ops::call1("reshape", {{"input_tensor", table}, {"shape", std::vector<int64_t>{rows, width}}});
  TtTensor picked = ops::call1("embedding", {{"input_tensor", idx}, {"weight", table}, {"dtype", math_type(self.scalar_type())}});
  std::vector<int64_t> gathered(index_sizes.begin(), index_sizes.end());
  for (int64_t d = 1; d < moved.dim(); ++d) gathered.push_back(moved.size(d));
  at::Tensor result = wrap(picked, self.scalar_type(), gathered);
  // The index dims where `dim` was.
  if (dim == 0) return result;
  std::vector<int64_t> order;
  const int64_t index_dims = static_cast<int64_t>(index_sizes.size());
  for (int64_t d = 0; d < dim; ++d) order.push_back(index_dims + d);
  for (int64_t d = 0; d < index_dims; ++d) order.push_back(d);
  for (int64_t d = index_dims + dim; d < static_cast<int64_t>(gathered.size()); ++d) order.push_back(d);
  return result.permute(order).contiguous();
}

at::Tensor index_select(const at::Tensor& self, int64_t dim, const at::Tensor& index) {
  device_of({&self, &index});
  if (index.dim() > 1) decline("a multi-dim index");  // the CPU raises
  if (self.dim() == 0) {  // the one element (index must be 0), still 0-d, as on the CPU
    if (index.numel() != 1) decline("index_select of a 0-d tensor with other than one index");
    return take_along(self.reshape({1}), 0, index_into(index.reshape({1}), 1, false), {1}).reshape({});
  }
  return take_along(self, dim, index_into(index, 0, false), index.sizes());
}

// A boolean mask must cover self's dims [dim, dim + mask.dim()) exactly (the CPU's IndexError otherwise).
void check_mask(const at::Tensor& self, const at::Tensor& mask, int64_t dim, size_t position) {
  if (mask.scalar_type() != c10::kBool) decline("a uint8 mask index");  // deprecated; the CPU warns
  if (mask.dim() == 0) decline("a 0-d mask index");
  for (int64_t j = 0; j < mask.dim(); ++j) {
    TORCH_CHECK_INDEX(dim + j < self.dim() && mask.size(j) == self.size(dim + j), "The shape of the mask ", mask.sizes(),
                      " at index ", position, " does not match the shape of the indexed tensor ", self.sizes(),
                      " at index ", dim + j);
  }
}

// A boolean mask over self's dims [dim, dim + mask.dim()) as the integer index tensors of its true
// elements, one per masked dim (nonzero's columns), as the CPU expands it.
std::vector<at::Tensor> mask_as_indices(const at::Tensor& self, const at::Tensor& mask, int64_t dim, size_t position) {
  check_mask(self, mask, dim, position);
  const at::Tensor coords = at::nonzero(mask);
  std::vector<at::Tensor> columns;
  for (int64_t j = 0; j < mask.dim(); ++j) columns.push_back(coords.select(1, j));
  return columns;
}

// Broadcast index tensors of self's adjacent dims [first, first + k) as one index into those dims
// flattened: idx_0 * n_1 * ... + ... + idx_k (each wrapped where negative).
TtTensor linear_index(const at::Tensor& self, int64_t first, const std::vector<at::Tensor>& broadcast) {
  TtTensor linear;
  for (size_t i = 0; i < broadcast.size(); ++i) {
    const int64_t size = self.size(first + static_cast<int64_t>(i));
    TtTensor idx = index_into(broadcast[i], size, true);
    linear = i == 0 ? idx
                    : ops::call1("add", {{"input_tensor_a", ops::call1("multiply", {{"input_tensor_a", linear},
                                                                                    {"input_tensor_b", static_cast<double>(size)}})},
                                         {"input_tensor_b", idx}});
  }
  return linear;
}

// The dims of `rank` with `first_dims` moved to the front, the others after them in order.
std::vector<int64_t> moved_to_front(const std::vector<int64_t>& first_dims, int64_t rank) {
  std::vector<int64_t> order = first_dims;
  for (int64_t d = 0; d < rank; ++d) {
    if (std::find(first_dims.begin(), first_dims.end(), d) == first_dims.end()) order.push_back(d);
  }
  return order;
}

// x[..., idx, ...] with integer index tensors on the adjacent dims [first, first + given.size()) (the
// other dims taken whole). Several index tensors broadcast together and pick one element of those dims
// each: as one index into them flattened, idx_0 * n_1 * ... + ... + idx_k.
at::Tensor index_adjacent(const at::Tensor& self, int64_t first, const std::vector<at::Tensor>& given) {
  const int64_t last = first + static_cast<int64_t>(given.size()) - 1;
  std::vector<int64_t> picked = given[0].sizes().vec();
  for (const at::Tensor& idx : given) picked = at::infer_size(picked, idx.sizes());
  if (c10::multiply_integers(picked) == 0) {  // nothing picked (an empty mask): the result's shape, empty
    std::vector<int64_t> sizes(self.sizes().begin(), self.sizes().begin() + first);
    sizes.insert(sizes.end(), picked.begin(), picked.end());
    sizes.insert(sizes.end(), self.sizes().begin() + last + 1, self.sizes().end());
    return at::empty(sizes, self.options());
  }
  if (given.size() == 1) return take_along(self, first, index_into(given[0], self.size(first), true), given[0].sizes());
  const std::vector<at::Tensor> broadcast = at::broadcast_tensors(given);
  return take_along(self.flatten(first, last), first, linear_index(self, first, broadcast), broadcast[0].sizes());
}

// x[indices]: integer index tensors, or boolean masks as their nonzero positions. Index tensors on dims
// that are not adjacent put the picked dims first, as the CPU does: those dims are moved to the front
// (a view) and indexed there.
at::Tensor index_tensor(const at::Tensor& self, const c10::List<std::optional<at::Tensor>>& indices) {
  std::vector<at::Tensor> given;
  std::vector<int64_t> dims;
  int64_t dim = 0;
  for (size_t i = 0; i < indices.size(); ++i) {
    const std::optional<at::Tensor> idx = indices[i];
    if (!idx.has_value() || !idx->defined()) {
      ++dim;
      continue;
    }
    device_of({&self, &*idx});
    const bool mask = idx->scalar_type() == c10::kBool || idx->scalar_type() == c10::kByte;
    for (const at::Tensor& part : mask ? mask_as_indices(self, *idx, dim, i) : std::vector<at::Tensor>{*idx}) {
      dims.push_back(dim++);
      given.push_back(part);
    }
  }
  if (given.empty()) decline("indexing without an index tensor");
  if (self.dim() == 0) decline("indexing a 0-d tensor");
  if (dims.back() - dims.front() + 1 == static_cast<int64_t>(dims.size())) return index_adjacent(self, dims.front(), given);
  return index_adjacent(self.permute(moved_to_front(dims, self.dim())), 0, given);
}

// self with src's values written at `index` along dim (torch.scatter without reduce), as a new tensor.
// int64 / float64 elements scatter as their two 32-bit words: the words dim is last, untouched by dim.
at::Tensor scatter_values(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& src,
                          bool accumulate = false) {
  device_of({&self, &index, &src});
  if (self.dim() == 0 || index.dim() != self.dim() || index.numel() == 0) decline("a scatter of a 0-d tensor or an empty or other-rank index");
  if (src.scalar_type() != self.scalar_type()) decline("a scatter of src of another dtype");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  for (int64_t d = 0; d < index.dim(); ++d) {
    if (index.size(d) > src.size(d) || (d != dim && index.size(d) > self.size(d))) decline("a scatter index larger than src or self");
  }
  at::Tensor part = src;  // the part of src the index covers
  for (int64_t d = 0; d < index.dim(); ++d) part = part.narrow(d, 0, index.size(d));
  if (accumulate && !at::isFloatingType(self.scalar_type()) && self.scalar_type() != c10::kInt) {
    decline("a scatter_add of integers other than int32");
  }
  if (moves_as_words(self) && !accumulate) {
    const at::Tensor words = as_words(self);
    std::vector<int64_t> sizes = index.sizes().vec();
    sizes.push_back(words.size(-1));
    const at::Tensor word_index = index.unsqueeze(-1).expand(sizes);
    return from_words(scatter_values(words, dim, word_index, as_words(part)), self.scalar_type());
  }
  const DataType type = bits_type(self.scalar_type());
  TtTensor result = ops::call1(accumulate ? "scatter_add" : "scatter", {{"input", to_tt(self, /*math=*/accumulate)}, {"dim", dim},
                                                                        {"index", index_words(index)}, {"src", to_tt(part, /*math=*/accumulate)}});
  if (result.dtype != type) result = cast(result, type);
  return wrap(result, self.scalar_type(), self.sizes().vec());
}

at::Tensor scatter_src(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& src) {
  return scatter_values(self, dim, index, src);
}
// torch.scatter_add (and scatter with reduce="add"): src's values added at `index` along dim, repeated
// indices summed, in the math type.
at::Tensor scatter_add_kernel(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& src) {
  return scatter_values(self, dim, index, src, /*accumulate=*/true);
}
at::Tensor& scatter_add_out(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& src, at::Tensor& out) {
  return copy_out(out, scatter_add_kernel(self, dim, index, src));
}
at::Tensor& scatter_add_(at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& src) {
  return scatter_add_out(self, dim, index, src, self);
}
at::Tensor scatter_reduce_two(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& src,
                              c10::string_view reduce) {
  if (reduce != "add") decline("scatter with reduce=multiply");  // TT-NN's scatter has no product
  return scatter_add_kernel(self, dim, index, src);
}

at::Tensor scatter_value(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Scalar& value) {
  device_of({&self, &index});
  return scatter_values(self, dim, index, at::full(index.sizes(), value, self.options()));
}
at::Tensor& scatter_src_out(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& src, at::Tensor& out) {
  return copy_out(out, scatter_values(self, dim, index, src));
}
at::Tensor& scatter_value_out(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Scalar& value, at::Tensor& out) {
  return copy_out(out, scatter_value(self, dim, index, value));
}
at::Tensor& scatter_src_(at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& src) {
  return scatter_src_out(self, dim, index, src, self);
}
at::Tensor& scatter_value_(at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Scalar& value) {
  return scatter_value_out(self, dim, index, value, self);
}

// self.flatten()[index], in index's shape (negative indices counted from the end).
at::Tensor take(const at::Tensor& self, const at::Tensor& index) {
  device_of({&self, &index});
  if (index.numel() == 0) return at::empty(index.sizes(), self.options());
  if (self.numel() == 0) decline("take from an empty tensor");  // the CPU raises
  c10::List<std::optional<at::Tensor>> flat_index;
  flat_index.push_back(index.reshape({-1}));
  return index_tensor(self.reshape({-1}), flat_index).reshape(index.sizes());
}

// self with values put at one integer index tensor along dim (or added, with accumulate: index's gradient,
// detection's box updates), as a new tensor: the indexed dim moved first and the rest flattened, a
// scatter (scatter_add) of the values' rows at the index's rows. Repeated indices without accumulate keep
// one of the values, as on the CPU.
at::Tensor put_rows(const at::Tensor& self, int64_t dim, const at::Tensor& idx, const at::Tensor& values, bool accumulate) {
  const DataType type = bits_type(self.scalar_type());
  const at::Tensor moved = self.movedim(dim, 0);
  const int64_t rows = moved.size(0), width = moved.numel() / rows, count = idx.numel();
  // The values as indexing's result shape (self's sizes with `dim` replaced by the index's), index dims first.
  std::vector<int64_t> result_sizes(self.sizes().begin(), self.sizes().begin() + dim);
  result_sizes.insert(result_sizes.end(), idx.sizes().begin(), idx.sizes().end());
  result_sizes.insert(result_sizes.end(), self.sizes().begin() + dim + 1, self.sizes().end());
  std::vector<int64_t> from(idx.dim()), to(idx.dim());
  for (int64_t d = 0; d < idx.dim(); ++d) {
    from[d] = dim + d;
    to[d] = d;
  }
  const at::Tensor rows_of_values = values.expand(result_sizes).movedim(from, to).reshape({count, width});
  TtTensor index = ops::call1("reshape", {{"input_tensor", index_into(idx, rows, true)}, {"shape", std::vector<int64_t>{count, 1}}});
  index = ops::call1("expand", {{"input_tensor", index}, {"output_shape", std::vector<int64_t>{count, width}}});
  TtTensor table = ops::call1("reshape", {{"input_tensor", to_tt(moved, false)}, {"shape", std::vector<int64_t>{rows, width}}});
  TtTensor src = to_tt(rows_of_values, false);
  if (accumulate) {  // sums in the math type
    table = cast(table, math_type(self.scalar_type()));
    src = cast(src, math_type(self.scalar_type()));
  }
  TtTensor result = ops::call1(accumulate ? "scatter_add" : "scatter", {{"input", table}, {"dim", int64_t{0}}, {"index", index}, {"src", src}});
  if (result.dtype != type) result = cast(result, type);
  return wrap(result, self.scalar_type(), moved.sizes().vec()).movedim(0, dim);
}

// index_add: source's slices along dim (times alpha) added into self at `index` (index_select's gradient).
at::Tensor index_add_kernel(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& source,
                            const at::Scalar& alpha) {
  device_of({&self, &index, &source});
  if (index.dim() != 1 || self.dim() == 0 || index.numel() == 0) decline("an index_add with a 0-d self or a 0-d or empty index");
  if (source.scalar_type() != self.scalar_type()) decline("an index_add of another dtype");
  if (!at::isFloatingType(self.scalar_type()) && self.scalar_type() != c10::kInt) decline("an index_add of integers other than int32");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  bool shapes_agree = source.dim() == self.dim() && source.size(dim) == index.numel();
  for (int64_t d = 0; shapes_agree && d < self.dim(); ++d) shapes_agree = d == dim || source.size(d) == self.size(d);
  if (!shapes_agree) decline("an index_add whose source does not fit self (torch raises)");
  const bool unscaled = alpha.isIntegral(true) ? alpha.toLong() == 1 : alpha.toDouble() == 1.0;
  return put_rows(self, dim, index, unscaled ? source : source * alpha, /*accumulate=*/true);
}
at::Tensor& index_add_out(const at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& source,
                          const at::Scalar& alpha, at::Tensor& out) {
  return copy_out(out, index_add_kernel(self, dim, index, source, alpha));
}
at::Tensor& index_add_(at::Tensor& self, int64_t dim, const at::Tensor& index, const at::Tensor& source, const at::Scalar& alpha) {
  return index_add_out(self, dim, index, source, alpha, self);
}

// self[indices] = values (+= with accumulate): integer index tensors (several are put as one linear index
// into their dims flattened; dims that are not adjacent are moved to the front first, as indexing puts
// them), or one boolean mask (its dims flattened into one, indexed at its true positions).
at::Tensor& index_put_impl(at::Tensor& self, const c10::List<std::optional<at::Tensor>>& indices, const at::Tensor& values,
                           bool accumulate, bool /*unsafe*/) {
  std::vector<at::Tensor> given;
  std::vector<int64_t> dims;
  for (size_t i = 0; i < indices.size(); ++i) {
    const std::optional<at::Tensor> idx = indices[i];
    if (!idx.has_value() || !idx->defined()) continue;
    dims.push_back(static_cast<int64_t>(i));
    given.push_back(*idx);
  }
  if (given.empty()) decline("index_put_ without an index tensor");
  for (const at::Tensor& idx : given) device_of({&self, &idx, &values});
  const bool mask = given[0].scalar_type() == c10::kBool || given[0].scalar_type() == c10::kByte;
  if (mask && given.size() > 1) decline("index_put_ with a mask and other index tensors");
  if (values.scalar_type() != self.scalar_type()) decline("index_put_ of values of another dtype");
  std::vector<int64_t> picked = given[0].sizes().vec();
  for (const at::Tensor& idx : given) picked = at::infer_size(picked, idx.sizes());
  if (c10::multiply_integers(picked) == 0) return self;  // nothing picked, nothing written
  if (self.dim() == 0 || self.numel() == 0) decline("index_put_ into a 0-d or empty tensor");
  if (accumulate && !at::isFloatingType(self.scalar_type()) && self.scalar_type() != c10::kInt) {
    decline("an accumulating index_put_ of integers other than int32");
  }
  if (accumulate) math_type(self.scalar_type());
  // int64 / float64 elements are put as their two 32-bit words (one more dim, last, untouched).
  auto put = [&](const at::Tensor& target, int64_t dim, const at::Tensor& index) {
    if (accumulate || !moves_as_words(target)) return put_rows(target, dim, index, values, accumulate);
    const at::Tensor on_device = core::is_ttnn(values) ? values : values.to(target.device());
    return from_words(put_rows(as_words(target), dim, index, as_words(on_device), false), target.scalar_type());
  };
  if (mask) {
    const at::Tensor& idx = given[0];
    const int64_t dim = dims[0];
    check_mask(self, idx, dim, static_cast<size_t>(dim));
    const at::Tensor flat_self = self.flatten(dim, dim + idx.dim() - 1);
    const at::Tensor positions = mask_as_indices(flat_self, idx.reshape({-1}), dim, static_cast<size_t>(dim))[0];
    if (positions.numel() == 0) return self;  // nothing to write
    self.copy_(put(flat_self, dim, positions).unflatten(dim, idx.sizes()));
    return self;
  }
  if (given.size() == 1) {
    self.copy_(put(self, dims[0], given[0]));
    return self;
  }
  const bool adjacent = dims.back() - dims.front() + 1 == static_cast<int64_t>(dims.size());
  at::Tensor target = adjacent ? self : self.permute(moved_to_front(dims, self.dim()));  // a view: writes reach self
  const int64_t first = adjacent ? dims.front() : 0, count = static_cast<int64_t>(given.size());
  const std::vector<at::Tensor> broadcast = at::broadcast_tensors(given);
  const at::Tensor flat_index = wrap(linear_index(target, first, broadcast), c10::kInt, broadcast[0].sizes());
  const std::vector<int64_t> spanned(target.sizes().begin() + first, target.sizes().begin() + first + count);
  target.copy_(put(target.flatten(first, first + count - 1), first, flat_index).unflatten(first, spanned));
  return self;
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("index_select", ATEN_OP(index_select), &index_select);
  TTNN_NATIVE("index.Tensor", ATEN_OP2(index, Tensor), &index_tensor);
  TTNN_NATIVE("take", ATEN_OP(take), &take);
  TTNN_NATIVE("index_add", ATEN_OP(index_add), &index_add_kernel);
  TTNN_NATIVE("index_add.out", ATEN_OP2(index_add, out), &index_add_out);
  TTNN_NATIVE("index_add_", ATEN_OP(index_add_), &index_add_);
  TTNN_NATIVE("_index_put_impl_", ATEN_OP(_index_put_impl_), &index_put_impl);
  TTNN_NATIVE("scatter.src", ATEN_OP2(scatter, src), &scatter_src);
  TTNN_NATIVE("scatter.reduce", ATEN_OP2(scatter, reduce), &scatter_reduce_two);
  TTNN_NATIVE("scatter_add", ATEN_OP(scatter_add), &scatter_add_kernel);
  TTNN_NATIVE("scatter_add.out", ATEN_OP2(scatter_add, out), &scatter_add_out);
  TTNN_NATIVE("scatter_add_", ATEN_OP(scatter_add_), &scatter_add_);
  TTNN_NATIVE("scatter.value", ATEN_OP2(scatter, value), &scatter_value);
  TTNN_NATIVE("scatter.src_out", ATEN_OP2(scatter, src_out), &scatter_src_out);
  TTNN_NATIVE("scatter.value_out", ATEN_OP2(scatter, value_out), &scatter_value_out);
  TTNN_NATIVE("scatter_.src", ATEN_OP2(scatter_, src), &scatter_src_);
  TTNN_NATIVE("scatter_.value", ATEN_OP2(scatter_, value), &scatter_value_);
}

}  // namespace
}  // namespace ttnn_device::aten
