#include "aten/operands.h"

#include <ATen/ATen.h>

#include <numeric>

#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {

std::vector<int64_t> memory_order(const at::Tensor& t) {
  std::vector<int64_t> order(t.dim());
  std::iota(order.begin(), order.end(), 0);
  if (t.is_contiguous() || !t.is_non_overlapping_and_dense()) return order;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    // Size-1 dims keep their place relative to each other; they move nothing.
    return t.stride(a) > t.stride(b);
  });
  return order;
}

bool is_identity(const std::vector<int64_t>& order) {
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

at::Tensor in_order(const at::Tensor& t, int64_t rank, const std::vector<int64_t>& order) {
  at::Tensor aligned = t;
  while (aligned.dim() < rank) aligned = aligned.unsqueeze(0);
  return is_identity(order) ? aligned : aligned.permute(order);
}

ops::Value operand(const at::Tensor& t, DataType type) {
  if (!core::is_ttnn(t)) {
    TORCH_INTERNAL_ASSERT(t.dim() == 0);
    if (t.is_complex()) decline("a complex scalar operand");
    return t.item().toDouble();
  }
  return cast(to_tt(t), type);
}

ops::Value operand(const at::Scalar& s) {
  if (s.isComplex()) decline("a complex scalar operand");
  return s.toDouble();
}

std::vector<int64_t> strides_for(c10::IntArrayRef sizes, const std::vector<int64_t>& order) {
  std::vector<int64_t> strides(sizes.size());
  int64_t running = 1;
  for (size_t i = order.size(); i-- > 0;) {
    strides[order[i]] = running;
    running *= std::max<int64_t>(sizes[order[i]], 1);
  }
  return strides;
}

at::Tensor wrap_in_order(TtTensor result, c10::ScalarType dtype, c10::IntArrayRef sizes,
                         const std::vector<int64_t>& order) {
  if (is_identity(order)) return wrap(std::move(result), dtype, sizes);
  return wrap(std::move(result), dtype, sizes, strides_for(sizes, order));
}

void write_in_order(const at::Tensor& dst, TtTensor result, const std::vector<int64_t>& order) {
  if (is_identity(order)) return write_into(dst, std::move(result));
  // dst viewed in that order is its logical order.
  write_into(dst.permute(order), std::move(result));
}

}  // namespace ttnn_device::aten
