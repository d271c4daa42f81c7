// Python bindings of the op layer: the op table, per-op call and conversion counts, the numerics switch.
#pragma once

#include <pybind11/pybind11.h>

#include "core/py_shape.h"

namespace ttnn_device::ops {
void bind_ops(pybind11::module_& m);
}
