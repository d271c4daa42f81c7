#include "ops/sim/fidelity.h"

#include "core/derived_cache.h"
#include "ops/sim/host.h"
#include "ops/sim/staging.h"

namespace ttnn_device::ops::sim {

namespace {
void cut_into(at::Tensor& out, const at::Tensor& x, uint32_t mask) {
  at::Tensor out_words = out.view(c10::kInt);
  at::bitwise_and_out(out_words, x.view(c10::kInt), static_cast<int32_t>(mask));
}
}  // namespace

at::Tensor cut_bits(const at::Tensor& x, uint32_t mask) {
  at::Tensor out = x.is_non_overlapping_and_dense() ? staging_empty_like(x) : at::empty_like(x);
  cut_into(out, x, mask);
  return out;
}

at::Tensor weight_values(const TtTensor& weight, uint32_t mask, c10::MemoryFormat format) {
  core::DeviceBuffer* buffer = weight.buffer();
  const bool plain_float = weight.host_type == DataType::FLOAT32;
  const bool contiguous = format == c10::MemoryFormat::Contiguous;
  if (!buffer || (mask == kAllBits && plain_float && contiguous && buffer->holds_logical_bytes())) {
    return read(weight).to(c10::kFloat);  // device memory as is: nothing to derive
  }
  auto derive = [&](bool kept) {
    at::Tensor values = read(weight);
    if (!plain_float) {
      at::Tensor wide = values.to(c10::kFloat, /*non_blocking=*/false, /*copy=*/true, format);  // its own memory
      if (mask != kAllBits) cut_into(wide, wide, mask);
      return wide;
    }
    if (!kept && contiguous) return mask == kAllBits ? values : cut_bits(values, mask);
    // A kept copy is the cache's own memory: never staging (reused by the next op) nor device memory.
    at::Tensor out = at::empty(values.sizes(), values.options().memory_format(format));
    if (mask == kAllBits) return out.copy_(values);
    cut_into(out, values, mask);
    return out;
  };
  static core::DerivedCache<at::Tensor> cache(core::DerivedCache<at::Tensor>::Keep::kSecondRequest);
  const uint64_t tag = (static_cast<uint64_t>(format) << 32) | mask;
  return cache.get(weight.storage, *buffer, tag, weight.shape, derive);
}

}  // namespace ttnn_device::ops::sim
