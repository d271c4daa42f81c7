// Data-dependent selections: nonzero (and nonzero_static), masked_select and masked_scatter_. Their
// result sizes depend on the values, so (as on CUDA) they read one number back: how many elements were
// picked. The picked positions are written in order by a scatter: each hit goes to the slot its running
// count gives it, misses to one spare slot that is cut off.
#include <ATen/ATen.h>
#include <ATen/MemoryOverlap.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// Positions are counted and moved as FLOAT32 numbers, exact below 2^24.
constexpr int64_t kExactPositions = int64_t{1} << 24;

// The flat positions (FLOAT32, in order) of the nonzero elements of `self`.
at::Tensor flat_hits(const at::Tensor& self) {
  device_of({&self});
  if (self.numel() >= kExactPositions) decline("nonzero of 2^24 elements or more");
  if (self.numel() == 0) return at::empty({0}, self.options().dtype(at::kFloat));
  const at::Tensor hit = self.reshape({-1}).ne(0);
  const at::Tensor running = hit.to(at::kFloat).cumsum(0);
  const int64_t count = static_cast<int64_t>(running[-1].item<float>());  // the one read back
  const at::TensorOptions floats = running.options();
  if (count == 0) return at::empty({0}, floats);
  const at::Tensor slot = at::where(hit, running - 1, static_cast<double>(count)).to(at::kInt);
  const at::Tensor positions = at::arange(static_cast<double>(self.numel()), floats);
  return at::zeros({count + 1}, floats).scatter(0, slot, positions).narrow(0, 0, count);
}

// Flat positions (FLOAT32 integers) as int64 coordinates [count, dims] in `sizes`: position / stride, floored
// (exact for integers below 2^24), modulo the dim's size.
at::Tensor coordinates(const at::Tensor& flat, c10::IntArrayRef sizes) {
  std::vector<at::Tensor> columns;
  int64_t stride = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    at::Tensor q = stride == 1 ? flat : flat.div(static_cast<double>(stride), "floor");
    columns.insert(columns.begin(), d == 0 ? q : q.remainder(static_cast<double>(sizes[d])));
    stride *= sizes[d];
  }
  return at::stack(columns, 1).to(at::kInt).to(at::kLong);
}

at::Tensor nonzero_positions(const at::Tensor& self) {
  const at::Tensor flat = flat_hits(self);
  if (flat.numel() == 0 || self.dim() == 0) return at::empty({flat.numel(), self.dim()}, self.options().dtype(at::kLong));
  return coordinates(flat, self.sizes());
}

at::Tensor& nonzero_out(const at::Tensor& self, at::Tensor& out) { return copy_out(out, nonzero_positions(self)); }

// nonzero's first `size` rows, padded with fill_value rows when there are fewer.
at::Tensor nonzero_static(const at::Tensor& self, int64_t size, int64_t fill_value) {
  TORCH_CHECK(size >= 0, "nonzero_static: 'size' must be an non-negative integer");
  const at::Tensor found = nonzero_positions(self);
  const int64_t count = found.size(0);
  if (count >= size) return found.narrow(0, 0, size);
  return at::cat({found, at::full({size - count, self.dim()}, fill_value, found.options())});
}

// self's elements where mask is true (both broadcast), in order, as a 1-d tensor.
at::Tensor masked_elements(const at::Tensor& self, const at::Tensor& mask) {
  device_of({&self, &mask});
  TORCH_CHECK(mask.scalar_type() == c10::kBool, "masked_select: expected BoolTensor for mask");
  const std::vector<int64_t> sizes = at::infer_size(self.sizes(), mask.sizes());
  const at::Tensor flat = flat_hits(mask.expand(sizes));
  if (flat.numel() == 0) return at::empty({0}, self.options());
  return self.expand(sizes).reshape({-1}).index_select(0, flat.to(at::kInt));
}

// self's elements where mask is true (mask broadcast to self) replaced, in order, by source's first ones.
at::Tensor& masked_scatter_(at::Tensor& self, const at::Tensor& mask, const at::Tensor& source) {
  device_of({&self, &mask, &source});
  TORCH_CHECK(mask.scalar_type() == c10::kBool, "masked_scatter_ only supports boolean masks, but got mask with dtype ",
              mask.scalar_type());
  TORCH_CHECK(self.scalar_type() == source.scalar_type(), "masked_scatter_: expected self and source to have same dtypes but got ",
              self.scalar_type(), " and ", source.scalar_type());
  const at::Tensor flat = flat_hits(mask.expand(self.sizes()));
  const int64_t count = flat.numel();
  if (count == 0) return self;
  TORCH_CHECK(source.numel() >= count, "masked_scatter: expected source to have at least ", count, " elements");
  const at::Tensor values = source.reshape({-1}).narrow(0, 0, count);
  self.copy_(self.reshape({-1}).index_put({flat.to(at::kInt)}, values).view(self.sizes()));
  return self;
}

at::Tensor& masked_select_out(const at::Tensor& self, const at::Tensor& mask, at::Tensor& out) {
  // An out= sharing memory with an input is an error, raised as the CPU raises it (the fallback could
  // not: it copies each argument to the host on its own, so the overlap would vanish there).
  at::assert_no_internal_overlap(out);
  at::assert_no_overlap(out, self);
  at::assert_no_overlap(out, mask);
  return copy_out(out, masked_elements(self, mask));
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("nonzero", ATEN_OP(nonzero), &nonzero_positions);
  TTNN_NATIVE("nonzero.out", ATEN_OP2(nonzero, out), &nonzero_out);
  TTNN_NATIVE("nonzero_static", ATEN_OP(nonzero_static), &nonzero_static);
  TTNN_NATIVE("masked_select", ATEN_OP(masked_select), &masked_elements);
  TTNN_NATIVE("masked_scatter_", ATEN_OP(masked_scatter_), &masked_scatter_);
  TTNN_NATIVE("masked_select.out", ATEN_OP2(masked_select, out), &masked_select_out);
}

}  // namespace
}  // namespace ttnn_device::aten
