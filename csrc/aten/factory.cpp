// Allocating ttnn tensors: empty.memory_format and empty_strided. Every other factory (zeros, full,
// arange, randn, ...) is built on these plus fill_/copy_/the fallback.
#include <ATen/ATen.h>
#include <ATen/EmptyTensor.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include "core/caching_allocator.h"
#include "core/physical_format.h"

namespace ttnn_device::aten {
namespace {

constexpr c10::DispatchKeySet kTtnnKeys{c10::DispatchKey::PrivateUse1};

c10::Device target_device(std::optional<c10::Device> device) {
  if (device.has_value() && device->has_index()) return *device;
  return c10::Device(c10::DeviceType::PrivateUse1, c10::impl::getDeviceGuardImpl(c10::DeviceType::PrivateUse1)
                                                        ->getDevice()
                                                        .index());
}

void check_options(std::optional<c10::Layout> layout, std::optional<bool> pin_memory) {
  TORCH_CHECK(!layout.has_value() || *layout == c10::kStrided, "ttnn supports only strided tensors, got layout ",
              *layout);
  TORCH_CHECK(!pin_memory.value_or(false), "pinned memory is a host property; only CPU tensors can be pinned");
}

at::Tensor empty_memory_format(c10::IntArrayRef size, std::optional<c10::ScalarType> dtype,
                               std::optional<c10::Layout> layout, std::optional<c10::Device> device,
                               std::optional<bool> pin_memory, std::optional<c10::MemoryFormat> memory_format) {
  check_options(layout, pin_memory);
  c10::DeviceGuard guard(target_device(device));
  const auto scalar_type = c10::dtype_or_default(dtype);
  at::Tensor result = at::detail::empty_generic(size, &core::caching_allocator(), kTtnnKeys, scalar_type, memory_format);
  core::format_new_storage(result);
  return result;
}

at::Tensor empty_strided(c10::IntArrayRef size, c10::IntArrayRef stride, std::optional<c10::ScalarType> dtype,
                         std::optional<c10::Layout> layout, std::optional<c10::Device> device,
                         std::optional<bool> pin_memory) {
  check_options(layout, pin_memory);
  c10::DeviceGuard guard(target_device(device));
  const auto scalar_type = c10::dtype_or_default(dtype);
  at::Tensor result = at::detail::empty_strided_generic(size, stride, &core::caching_allocator(), kTtnnKeys, scalar_type);
  core::format_new_storage(result);
  return result;
}

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("empty.memory_format", empty_memory_format);
  m.impl("empty_strided", empty_strided);
}

}  // namespace
}  // namespace ttnn_device::aten
