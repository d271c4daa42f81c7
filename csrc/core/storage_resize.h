// Growing or shrinking a ttnn storage in place: new device memory, old bytes copied on the device.
#pragma once

#include <c10/core/Storage.h>

namespace ttnn_device::core {

void resize_storage_bytes(const c10::Storage& storage, size_t new_bytes);

}  // namespace ttnn_device::core
