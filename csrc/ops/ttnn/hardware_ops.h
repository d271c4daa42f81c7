// The hardware backend's entry points beside the vocabulary (which it registers itself).
#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <utility>
#include <vector>

#include "core/py_shape.h"
#include "ops/tt_tensor.h"

namespace ttnn_device::ops::hw {

// (op, parameter) pairs the backend passes beyond the op table's parameters (checked against ttnn).
std::vector<std::pair<std::string, std::string>> extra_params();
// The ttnn.Tensor a TT tensor's buffer holds, read with its shape (GIL held).
pybind11::object ttnn_tensor_of(const TtTensor& t);

}  // namespace ttnn_device::ops::hw
