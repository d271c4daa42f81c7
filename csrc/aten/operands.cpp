#include "aten/operands.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>

#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {

DimOrder memory_order(const at::Tensor& t) {
  DimOrder order(t.dim());
  std::iota(order.begin(), order.end(), 0);
  if (t.is_contiguous() || !t.is_non_overlapping_and_dense()) return order;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    // Size-1 dims keep their place relative to each other; they move nothing.
    return t.stride(a) > t.stride(b);
  });
  return order;
}

bool is_identity(c10::IntArrayRef order) {
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

Borrowed in_order(const at::Tensor& t, int64_t rank, c10::IntArrayRef order) {
  const bool identity = is_identity(order);
  if (t.dim() >= rank && identity) return Borrowed::borrowed(t);
  at::Tensor aligned = t;
  while (aligned.dim() < rank) aligned = aligned.unsqueeze(0);
  return Borrowed::owned(identity ? std::move(aligned) : aligned.permute(order));
}

std::optional<runtime::Shape> tile_stored_shape(const at::Tensor& t) {
  if (!core::is_ttnn(t) || t.numel() == 0 || !t.is_contiguous() || t.storage_offset() != 0) return std::nullopt;
  if (static_cast<size_t>(t.numel()) * t.element_size() != t.storage().nbytes()) return std::nullopt;
  const DataType natural = core::natural_format(t.scalar_type()).type;
  return core::buffer_of(t).inspect([&](const runtime::TensorDesc& desc) -> std::optional<runtime::Shape> {
    if (desc.layout != Layout::TILE || desc.host_type != natural || ops::numel_of(desc.shape) != t.numel()) {
      return std::nullopt;
    }
    return desc.shape;
  });
}

TtTensor rows_as_stored(const at::Tensor& t, int64_t kept) {
  if (kept >= 1 && t.dim() >= kept) {
    if (auto stored = tile_stored_shape(t)) {
      const int64_t rank = static_cast<int64_t>(stored->size());
      if (rank >= kept && std::equal(stored->end() - kept, stored->end(), t.sizes().end() - kept)) {
        return to_tt(t.view(*stored));
      }
    }
  }
  return to_tt_in(t, Layout::TILE);
}

std::optional<std::vector<int64_t>> stored_form(c10::IntArrayRef operand, c10::IntArrayRef sizes,
                                                c10::IntArrayRef stored, bool spanning_allowed) {
  // The dims both shapes end with are kept; the leading dims of `sizes` are the stored leading dims
  // factored otherwise. An operand either spans them all or broadcasts over them all.
  const int64_t rank = static_cast<int64_t>(sizes.size()), stored_rank = static_cast<int64_t>(stored.size());
  if (static_cast<int64_t>(operand.size()) != rank) return std::nullopt;
  int64_t common = 0;
  while (common < rank && common < stored_rank && sizes[rank - 1 - common] == stored[stored_rank - 1 - common]) {
    ++common;
  }
  const int64_t lead = rank - common, stored_lead = stored_rank - common;
  bool spans = true, broadcasts = true;
  for (int64_t d = 0; d < lead; ++d) {
    spans = spans && operand[d] == sizes[d];
    broadcasts = broadcasts && operand[d] == 1;
  }
  std::vector<int64_t> shape;
  if (broadcasts) {
    shape.assign(stored_lead, 1);
  } else if (spans && spanning_allowed) {
    shape.assign(stored.begin(), stored.begin() + stored_lead);
  } else {
    return std::nullopt;
  }
  shape.insert(shape.end(), operand.begin() + lead, operand.end());
  return shape;
}

std::optional<std::vector<at::Tensor>> in_stored_shape(c10::ArrayRef<const at::Tensor*> operands,
                                                       c10::IntArrayRef sizes) {
  std::optional<runtime::Shape> stored;
  for (const at::Tensor* t : operands) {
    if (core::is_ttnn(*t) && t->sizes() == sizes) {
      stored = tile_stored_shape(*t);
      if (stored) break;
    }
  }
  if (!stored || c10::IntArrayRef(*stored) == sizes) return std::nullopt;
  std::vector<at::Tensor> viewed;
  for (const at::Tensor* t : operands) {
    if (!core::is_ttnn(*t)) {
      viewed.push_back(*t);
      continue;
    }
    // A spanning operand is re-viewed: only a dense one can be.
    auto shape = stored_form(t->sizes(), sizes, *stored, t->is_contiguous());
    if (!shape) return std::nullopt;
    viewed.push_back(t->view(*shape));
  }
  return viewed;
}

OrderedOperands ordered_operands(std::initializer_list<const at::Tensor*> tensors, DataType type) {
  const at::Tensor& first = **tensors.begin();
  OrderedOperands out{{}, memory_order(first)};
  std::vector<Borrowed> ordered;
  ordered.reserve(tensors.size());
  for (const at::Tensor* t : tensors) ordered.push_back(in_order(*t, first.dim(), out.order));
  std::vector<const at::Tensor*> views;
  for (const Borrowed& b : ordered) views.push_back(&*b);
  const auto stored = in_stored_shape(views, views.front()->sizes());
  for (size_t i = 0; i < views.size(); ++i) out.tensors.push_back(cast(to_tt(stored ? (*stored)[i] : *views[i]), type));
  return out;
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

std::vector<int64_t> strides_for(c10::IntArrayRef sizes, c10::IntArrayRef order) {
  std::vector<int64_t> strides(sizes.size());
  int64_t running = 1;
  for (size_t i = order.size(); i-- > 0;) {
    strides[order[i]] = running;
    running *= std::max<int64_t>(sizes[order[i]], 1);
  }
  return strides;
}

at::Tensor wrap_in_order(TtTensor result, c10::ScalarType dtype, c10::IntArrayRef sizes,
                         c10::IntArrayRef order) {
  if (is_identity(order)) return wrap(std::move(result), dtype, sizes);
  return wrap(std::move(result), dtype, sizes, strides_for(sizes, order));
}

void write_in_order(const at::Tensor& dst, TtTensor result, c10::IntArrayRef order) {
  if (is_identity(order)) return write_into(dst, std::move(result));
  // dst viewed in that order is its logical order.
  write_into(dst.permute(order), std::move(result));
}

}  // namespace ttnn_device::aten
