// The calling thread's current ttnn device, shared by the guard, the hooks and the allocator.
#pragma once

#include <c10/core/Device.h>

namespace ttnn_device::core {

c10::DeviceIndex device_count() noexcept;
c10::DeviceIndex current_device();
// Throws a c10::Error naming the valid range when `index` is not a device.
void set_current_device(c10::DeviceIndex index);
void check_device_index(c10::DeviceIndex index);

}  // namespace ttnn_device::core
