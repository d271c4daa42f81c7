// ttnn_device._C._call_op(op, kwargs): one vocabulary call from Python, on ttnn tensors, for the golden
// contract test (our ops against TT-NN's golden functions) and for experiments.
#pragma once

#include <pybind11/pybind11.h>

#include "core/py_shape.h"

namespace ttnn_device::aten {
void bind_call_op(pybind11::module_& m);
}
