// Shapes cross to and from Python as lists of ints, like the std::vector<int64_t> dim lists pybind11
// already converts: every file that hands a runtime::Shape to Python (or takes one) includes this.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "runtime/shape.h"

namespace pybind11::detail {
template <>
struct type_caster<ttnn_device::runtime::Shape> : list_caster<ttnn_device::runtime::Shape, int64_t> {};
}  // namespace pybind11::detail
