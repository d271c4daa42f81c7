// Python entry points for the runtime's physical-format conversions (ttnn_device._C._encode/_decode), so
// Python tests can check TensorDesc::encode/decode against the ttnn goldens without a device.
#pragma once

#include <pybind11/pybind11.h>

#include "core/py_shape.h"

namespace ttnn_device::core {

// Adds _encode(shape, layout, data_type, host_type, data, raw_element_size=1) -> bytes and
// _decode(...) -> bytes to `m`. Names are TT-NN's ("TILE", "BFLOAT8_B", ...; case-insensitive).
void bind_formats(pybind11::module_& m);

}  // namespace ttnn_device::core
