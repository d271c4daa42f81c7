// Sorting kernels through TT-NN's topk and sort (values, and UINT32 indices that become int64; int64
// values by their words), unique, and cumprod: what sampling in generate() (top-k, top-p) and detection
// post-processing use.
#include <ATen/ATen.h>
#include <torch/library.h>

#include <limits>

#include "aten/operands.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

c10::ScalarType sortable(const at::Tensor& self, int64_t& dim, bool floating_only) {
  device_of({&self});
  const c10::ScalarType dtype = self.scalar_type();
  if (floating_only ? (dtype != c10::kFloat && dtype != c10::kBFloat16)
                    : (dtype != c10::kFloat && dtype != c10::kBFloat16 && dtype != c10::kInt)) {
    decline(std::string("sorting ") + c10::toString(dtype) + " values");
  }
  if (self.dim() == 0 || self.numel() == 0) decline("sorting a 0-d or empty tensor");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  return dtype;
}

std::tuple<at::Tensor, at::Tensor> values_and_indices(const std::vector<TtTensor>& out, c10::ScalarType dtype,
                                                      const std::vector<int64_t>& sizes) {
  return {wrap(out[0], dtype, sizes), wrap_int64(out[1], sizes)};
}

std::tuple<at::Tensor, at::Tensor> topk_kernel(const at::Tensor& self, c10::SymInt k_sym, int64_t dim, bool largest,
                                               bool sorted) {
  const c10::ScalarType dtype = sortable(self, dim, /*floating_only=*/true);
  const int64_t k = k_sym.expect_int();
  if (k < 0 || k > self.size(dim)) decline("topk with k out of range");  // the CPU raises
  if (k == 0) decline("topk of no elements");
  auto out = ops::call("topk", {{"input_tensor", to_tt(self)}, {"k", k}, {"dim", dim}, {"largest", largest}, {"sorted", sorted}});
  std::vector<int64_t> sizes = self.sizes().vec();
  sizes[dim] = k;
  return values_and_indices(out, dtype, sizes);
}

// int64 values in two stable INT32 sorts, least significant word first (radix order): by the low words
// read unsigned (the sign bit flipped makes their signed order the unsigned one), then by the high
// words. Equal values keep their order, so the result is the stable sort, ascending or descending.
std::tuple<at::Tensor, at::Tensor> sort_int64(const at::Tensor& self, int64_t dim, bool descending) {
  if (self.dim() == 0 || self.numel() == 0) decline("sorting a 0-d or empty tensor");
  dim = c10::maybe_wrap_dim(dim, self.dim());
  const at::Tensor words = as_words(self);
  const at::Tensor low_order = words.select(-1, 0).bitwise_xor(std::numeric_limits<int32_t>::min());
  const at::Tensor by_low = std::get<1>(low_order.sort(/*stable=*/true, dim, descending));
  const at::Tensor by_high = std::get<1>(words.select(-1, 1).gather(dim, by_low).sort(/*stable=*/true, dim, descending));
  const at::Tensor order = by_low.gather(dim, by_high);
  return {self.gather(dim, order), order};
}

std::tuple<at::Tensor, at::Tensor> sort_kernel(const at::Tensor& self, std::optional<bool> stable, int64_t dim,
                                               bool descending) {
  if (self.scalar_type() == c10::kLong) {
    device_of({&self});
    return sort_int64(self, dim, descending);
  }
  if (self.scalar_type() == c10::kBool) {  // as the numbers 0 and 1
    device_of({&self});
    auto [values, indices] = sort_kernel(self.to(at::kInt), stable, dim, descending);
    return {values.to(at::kBool), indices};
  }
  const c10::ScalarType dtype = sortable(self, dim, /*floating_only=*/false);
  auto out = ops::call("sort", {{"input_tensor", to_tt(self)}, {"dim", dim}, {"descending", descending},
                                {"stable", stable.value_or(false)}});
  return values_and_indices(out, dtype, self.sizes().vec());
}

// The out= forms (detection post-processing calls them): both results copied into their destinations.
std::tuple<at::Tensor&, at::Tensor&> into_pair(const std::tuple<at::Tensor, at::Tensor>& result, at::Tensor& values,
                                               at::Tensor& indices) {
  copy_out(values, std::get<0>(result));
  copy_out(indices, std::get<1>(result));
  return {values, indices};
}

std::tuple<at::Tensor&, at::Tensor&> topk_out(const at::Tensor& self, c10::SymInt k, int64_t dim, bool largest, bool sorted,
                                              at::Tensor& values, at::Tensor& indices) {
  return into_pair(topk_kernel(self, std::move(k), dim, largest, sorted), values, indices);
}

std::tuple<at::Tensor&, at::Tensor&> sort_out(const at::Tensor& self, std::optional<bool> stable, int64_t dim,
                                              bool descending, at::Tensor& values, at::Tensor& indices) {
  return into_pair(sort_kernel(self, stable, dim, descending), values, indices);
}

at::Tensor cumprod_kernel(const at::Tensor& self, int64_t dim, std::optional<c10::ScalarType> dtype) {
  device_of({&self});
  if (!at::isFloatingType(self.scalar_type()) || (dtype && *dtype != self.scalar_type())) {
    decline("a cumulative product of integers or into another dtype");
  }
  if (self.dim() == 0 || self.numel() == 0) decline("a cumulative product of a 0-d or empty tensor");
  math_type(self.scalar_type());
  dim = c10::maybe_wrap_dim(dim, self.dim());
  return wrap(ops::call1("cumprod", {{"input_tensor", to_tt(self)}, {"dim", dim}}), self.scalar_type(), self.sizes().vec());
}

at::Tensor& cumprod_out(const at::Tensor& self, int64_t dim, std::optional<c10::ScalarType> dtype, at::Tensor& out) {
  return copy_out(out, cumprod_kernel(self, dim, dtype.has_value() ? dtype : std::optional(out.scalar_type())));
}

// torch.unique (sorted): the flattened values sorted; a value starts a group where it differs from the
// one before; each element's group is the running count of group starts (its inverse index), and the
// values and counts are scattered into their groups. The number of groups is read back (the result's
// size depends on it, as on CUDA).
std::tuple<at::Tensor, at::Tensor, at::Tensor> unique_sorted(const at::Tensor& self, bool sorted, bool return_inverse,
                                                             bool return_counts) {
  device_of({&self});
  if (!sorted) decline("unique without sorting (the CPU's order is its hash table's)");
  if (self.numel() == 0 || self.numel() >= (int64_t{1} << 24)) decline("unique of an empty tensor or of 2^24 elements or more");
  const at::Tensor flat = self.reshape({-1});
  auto [values, order] = flat.sort(/*stable=*/true, 0, false);
  const int64_t n = flat.numel();
  at::Tensor starts = at::ones({n}, flat.options().dtype(at::kFloat));
  if (n > 1) starts.narrow(0, 1, n - 1).copy_(values.narrow(0, 1, n - 1).ne(values.narrow(0, 0, n - 1)));
  const at::Tensor group = starts.cumsum(0) - 1;  // FLOAT32 whole numbers, exact below 2^24
  const int64_t groups = static_cast<int64_t>(group[-1].item<float>()) + 1;
  const at::Tensor group_index = group.to(at::kInt);
  const at::Tensor unique = at::zeros({groups}, flat.options()).scatter(0, group_index, values);
  const at::TensorOptions longs = flat.options().dtype(at::kLong);
  at::Tensor inverse = at::empty({0}, longs), counts = at::empty({0}, longs);
  if (return_inverse) {
    inverse = at::zeros({n}, longs).scatter(0, order, group_index.to(at::kLong)).view(self.sizes());
  }
  if (return_counts) {
    counts = at::zeros({groups}, starts.options()).scatter_add(0, group_index, at::ones({n}, starts.options()))
                 .to(at::kInt).to(at::kLong);
  }
  return {unique, inverse, counts};
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("topk", TORCH_FN((Native<ATEN_OP(topk), &topk_kernel, true>::call)));
  m.impl("topk.values", TORCH_FN((Native<ATEN_OP2(topk, values), &topk_out, true>::call)));
  TTNN_NATIVE("sort.stable", ATEN_OP2(sort, stable), &sort_kernel);
  TTNN_NATIVE("sort.values_stable", ATEN_OP2(sort, values_stable), &sort_out);
  TTNN_NATIVE("_unique2", ATEN_OP(_unique2), &unique_sorted);
  TTNN_NATIVE("cumprod", ATEN_OP(cumprod), &cumprod_kernel);
  TTNN_NATIVE("cumprod.out", ATEN_OP2(cumprod, out), &cumprod_out);
}

}  // namespace
}  // namespace ttnn_device::aten
