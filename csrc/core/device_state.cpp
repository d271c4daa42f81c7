#include "core/device_state.h"

#include <c10/util/Exception.h>

#include "runtime/device.h"

namespace ttnn_device::core {

namespace {
thread_local c10::DeviceIndex current = 0;
}

c10::DeviceIndex device_count() noexcept {
  return static_cast<c10::DeviceIndex>(runtime::DeviceRegistry::instance().count());
}

void check_device_index(c10::DeviceIndex index) {
  const auto count = device_count();
  TORCH_CHECK(index >= 0 && index < count, "Invalid device ttnn:", static_cast<int>(index), ": this machine has ",
              static_cast<int>(count), " ttnn device(s) (board ", runtime::DeviceRegistry::instance().board().name,
              ", TTNN_DEVICE_BOARD selects another)",
              runtime::DeviceRegistry::instance().error().empty()
                  ? ""
                  : "; " + runtime::DeviceRegistry::instance().error());
}

c10::DeviceIndex current_device() { return current; }

void set_current_device(c10::DeviceIndex index) {
  check_device_index(index);
  current = index;
}

}  // namespace ttnn_device::core
