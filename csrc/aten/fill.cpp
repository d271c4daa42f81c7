// Filling ttnn tensors with one value: fill_ (scalar or 0-dim tensor) and zero_. Dense views are filled
// on the device with a repeated element pattern; views with gaps are read, filled and written back.
#include <ATen/ATen.h>
#include <ATen/Dispatch_v2.h>

#include <cstring>
#include <torch/library.h>

#include "core/tensor_access.h"

namespace ttnn_device::aten {
namespace {

at::Tensor& fill_scalar(at::Tensor& self, const at::Scalar& value) {
  if (self.numel() == 0) return self;
  const bool dense = self.is_non_overlapping_and_dense() && !self.is_conj() && !self.is_neg();
  if (dense) {
    // The element's bytes, converted (and overflow-checked) as the CPU's fill_ converts the scalar.
    alignas(16) unsigned char pattern[16];
    AT_DISPATCH_V2(self.scalar_type(), "ttnn_fill_", AT_WRAP([&] {
      const scalar_t element = value.to<scalar_t>();
      std::memcpy(pattern, &element, sizeof(scalar_t));
    }), AT_EXPAND(AT_ALL_TYPES_AND_COMPLEX), AT_EXPAND(AT_FLOAT8_TYPES), AT_EXPAND(AT_BAREBONES_UNSIGNED_TYPES),
        c10::kComplexHalf, c10::kHalf, c10::kBool, c10::kBFloat16);
    const uint64_t itemsize = self.element_size();
    core::buffer_of(self).fill(self.storage_offset() * itemsize, self.numel() * itemsize, pattern, itemsize);
    return self;
  }
  at::Tensor host = core::read_to_host(self).clone();
  host.fill_(value);
  core::write_from_host(self, host);
  return self;
}

at::Tensor& fill_tensor(at::Tensor& self, const at::Tensor& value) {
  TORCH_CHECK(value.dim() == 0, "fill_ only supports 0-dimension value tensor but got tensor with ", value.dim(),
              " dimensions.");
  return fill_scalar(self, value.item());
}

at::Tensor& zero_(at::Tensor& self) { return fill_scalar(self, 0); }

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("fill_.Scalar", fill_scalar);
  m.impl("fill_.Tensor", fill_tensor);
  m.impl("zero_", zero_);
}

}  // namespace
}  // namespace ttnn_device::aten
