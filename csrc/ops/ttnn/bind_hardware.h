// Python bindings of the backend choice and the hardware backend: select the backend before first use,
// name it, list the parameters the hardware backend adds to table calls, close the chips at exit.
#pragma once

#include <pybind11/pybind11.h>

#include "core/py_shape.h"

namespace ttnn_device::ops::hw {
void bind_hardware(pybind11::module_& m);
}
