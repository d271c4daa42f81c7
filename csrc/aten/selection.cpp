// Data-dependent selections: nonzero and masked_select, whose result sizes depend on the values (so, as on
// CUDA, they read one number back: how many elements were picked). The picked positions are written in
// order by a scatter: each hit goes to the slot its running count gives it, misses to one spare slot that
// is cut off.
#include <ATen/ATen.h>
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
  if (self.dim() == 0 || self.numel() == 0) decline("nonzero of a 0-d or empty tensor");
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
  if (flat.numel() == 0) return at::empty({0, self.dim()}, self.options().dtype(at::kLong));
  return coordinates(flat, self.sizes());
}

at::Tensor& nonzero_out(const at::Tensor& self, at::Tensor& out) { return copy_out(out, nonzero_positions(self)); }

// self's elements where mask is true (both broadcast), in order, as a 1-d tensor.
at::Tensor masked_elements(const at::Tensor& self, const at::Tensor& mask) {
  device_of({&self, &mask});
  TORCH_CHECK(mask.scalar_type() == c10::kBool, "masked_select: expected BoolTensor for mask");
  const std::vector<int64_t> sizes = at::infer_size(self.sizes(), mask.sizes());
  const at::Tensor flat = flat_hits(mask.expand(sizes));
  if (flat.numel() == 0) return at::empty({0}, self.options());
  return self.expand(sizes).reshape({-1}).index_select(0, flat.to(at::kInt));
}

at::Tensor& masked_select_out(const at::Tensor& self, const at::Tensor& mask, at::Tensor& out) {
  return copy_out(out, masked_elements(self, mask));
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("nonzero", ATEN_OP(nonzero), &nonzero_positions);
  TTNN_NATIVE("nonzero.out", ATEN_OP2(nonzero, out), &nonzero_out);
  TTNN_NATIVE("masked_select", ATEN_OP(masked_select), &masked_elements);
  TTNN_NATIVE("masked_select.out", ATEN_OP2(masked_select, out), &masked_select_out);
}

}  // namespace
}  // namespace ttnn_device::aten
