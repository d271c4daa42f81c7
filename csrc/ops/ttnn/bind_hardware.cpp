#include "ops/ttnn/bind_hardware.h"

#include <pybind11/stl.h>

#include "ops/ttnn/hardware_device.h"
#include "ops/ttnn/hardware_ops.h"
#include "runtime/device.h"

namespace py = pybind11;

namespace ttnn_device::ops::hw {

void bind_hardware(py::module_& m) {
  m.def("_select_backend", [](const std::string& name) {
    try {
      runtime::DeviceRegistry::instance().select_backend(name);
    } catch (const std::logic_error& e) {
      throw py::value_error(e.what());
    }
  });
  m.def("_backend", [] { return runtime::DeviceRegistry::instance().backend(); });
  m.def("_hardware_extra_params", [] { return extra_params(); });
  m.def("_close_hardware", [] { close_all(); });
  m.def("_pause_transfers", [](int index, bool paused) {
    auto* device = dynamic_cast<HardwareDevice*>(&runtime::DeviceRegistry::instance().device(index));
    if (!device) throw py::value_error("only the hardware backend has a transfer queue");
    device->pause_transfers(paused);
  }, "Tests only: holds the hardware backend's queued uploads back, or lets them run.");
}

}  // namespace ttnn_device::ops::hw
