// The hardware backend's only door to TT-NN: the `ttnn` Python package, called from C++ with the GIL
// taken for each call and released in between. The wheel ships no host C++ headers, and its nanobind
// objects are opaque to a pybind11 extension, so tensors and devices stay Python objects here.
// Every function below expects the caller to hold the GIL (see ops/ttnn/gil.h's Gil).
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "core/py_shape.h"
#include "runtime/data_type.h"

namespace ttnn_device::ops::hw {

namespace py = pybind11;

// The imported `ttnn` module (imported on first use; throws std::runtime_error saying why it cannot be).
py::object ttnn();
// A function of `ttnn` by its dotted name ("ttnn.matmul", "ttnn.experimental.slice_write"), cached.
py::object function(const std::string& dotted);
py::object to_ttnn(runtime::DataType type);
py::object to_ttnn(runtime::Layout layout);
runtime::DataType data_type_of(const py::handle& ttnn_dtype);
runtime::Layout layout_of(const py::handle& ttnn_layout);

// A Python exception from `ttnn` as a C++ one carrying its message (taken while the GIL is held).
[[noreturn]] void rethrow(const char* what, py::error_already_set& error);

// Whether Python can still be called: false once the interpreter is finalising (tensors freed at exit
// are then left to the process's end).
bool python_alive();

}  // namespace ttnn_device::ops::hw
