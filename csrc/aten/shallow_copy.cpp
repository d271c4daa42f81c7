// Lets a CPU TensorImpl take on a ttnn tensor's metadata and storage (and back), as torch allows between
// CPU and CUDA. Module.to("ttnn") then moves parameters in place (param.data = moved), so parameter
// identity, tied weights and optimizers built before the move all survive.
#include <ATen/ATen.h>
#include <torch/library.h>

namespace ttnn_device::aten {
namespace {

bool is_dense_cpu_or_ttnn(const at::Tensor& t) {
  return t.layout() == c10::kStrided && !t.is_quantized() &&
         (t.device().is_cpu() || t.device().type() == c10::DeviceType::PrivateUse1);
}

bool has_compatible_shallow_copy_type(const at::Tensor& self, const at::Tensor& from) {
  if (is_dense_cpu_or_ttnn(self) && is_dense_cpu_or_ttnn(from)) return true;
  return self.unsafeGetTensorImpl()->has_compatible_shallow_copy_type(from.key_set());
}

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("_has_compatible_shallow_copy_type", has_compatible_shallow_copy_type);
}

}  // namespace
}  // namespace ttnn_device::aten
