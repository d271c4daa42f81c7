#include "core/bind_formats.h"

#include <Python.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/formats/tile_codec.h"
#include "runtime/tensor_desc.h"

namespace py = pybind11;

namespace ttnn_device::core {

namespace {

runtime::TensorDesc make_desc(const std::vector<int64_t>& shape, const std::string& layout,
                              const std::string& data_type, const std::string& host_type, uint32_t raw_element_size) {
  runtime::TensorDesc d;
  d.shape = shape;
  d.layout = runtime::parse_layout(layout);
  d.data_type = runtime::parse_data_type(data_type);
  d.host_type = runtime::parse_data_type(host_type);
  d.raw_element_size = raw_element_size;
  d.validate();  // std::invalid_argument -> ValueError
  return d;
}

// Runs `convert(in, out)` from a contiguous buffer of exactly `in_bytes` into a new bytes object of `out_bytes`,
// without the GIL (conversions of large tensors take a while and touch no Python state).
template <typename Convert>
py::bytes convert_buffer(const py::buffer& data, size_t in_bytes, size_t out_bytes, const char* what, Convert convert) {
  const py::buffer_info info = data.request();
  const size_t got = static_cast<size_t>(info.size) * static_cast<size_t>(info.itemsize);
  if (got != in_bytes) {
    throw std::invalid_argument(std::string(what) + ": expected " + std::to_string(in_bytes) + " bytes, got " +
                                std::to_string(got));
  }
  if (!PyBuffer_IsContiguous(info.view(), 'C')) throw std::invalid_argument(std::string(what) + ": buffer must be C-contiguous");
  PyObject* raw = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(out_bytes));
  if (!raw) throw py::error_already_set();
  py::bytes out = py::reinterpret_steal<py::bytes>(raw);
  char* dst = PyBytes_AsString(out.ptr());
  {
    py::gil_scoped_release release;
    convert(info.ptr, dst);
  }
  return out;
}

}  // namespace

void bind_formats(py::module_& m) {
  m.def(
      "_conversion_kernels", [] { return std::string(runtime::formats::tile_codec().name); },
      "The kernel table format conversions run on: 'avx512', 'avx2' or 'portable' (TTNN_DEVICE_SIMD=portable or =avx2 forces one).");
  m.def(
      "_encode",
      [](const std::vector<int64_t>& shape, const std::string& layout, const std::string& data_type,
         const std::string& host_type, const py::buffer& data, uint32_t raw_element_size) {
        const runtime::TensorDesc d = make_desc(shape, layout, data_type, host_type, raw_element_size);
        return convert_buffer(data, d.logical_bytes(), d.physical_bytes(), "_encode",
                              [&](const void* in, void* out) { runtime::encode(d, in, out); });
      },
      py::arg("shape"), py::arg("layout"), py::arg("data_type"), py::arg("host_type"), py::arg("data"),
      py::arg("raw_element_size") = 1,
      "Row-major host elements (host_type) -> the device's physical bytes (layout, data_type), as TT-NN lays them out.");
  m.def(
      "_decode",
      [](const std::vector<int64_t>& shape, const std::string& layout, const std::string& data_type,
         const std::string& host_type, const py::buffer& data, uint32_t raw_element_size) {
        const runtime::TensorDesc d = make_desc(shape, layout, data_type, host_type, raw_element_size);
        return convert_buffer(data, d.physical_bytes(), d.logical_bytes(), "_decode",
                              [&](const void* in, void* out) { runtime::decode(d, in, out); });
      },
      py::arg("shape"), py::arg("layout"), py::arg("data_type"), py::arg("host_type"), py::arg("data"),
      py::arg("raw_element_size") = 1,
      "Physical bytes (layout, data_type) -> row-major host elements (host_type); tile padding is ignored.");
}

}  // namespace ttnn_device::core
