#include "ops/ttnn/python_ttnn.h"

#include <Python.h>

#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace ttnn_device::ops::hw {

using runtime::DataType;
using runtime::Layout;

py::object ttnn() {
  // Held for the life of the process: the module is never unloaded, and dropping it at exit would run
  // after the interpreter is gone.
  static py::object* module = nullptr;
  if (!module) {
    try {
      module = new py::object(py::module_::import("ttnn"));
    } catch (py::error_already_set& e) {
      rethrow("import ttnn", e);
    }
  }
  return *module;
}

py::object function(const std::string& dotted) {
  static auto* cache = new std::unordered_map<std::string, py::object>();
  auto it = cache->find(dotted);
  if (it != cache->end()) return it->second;
  py::object obj = ttnn();
  size_t start = dotted.find('.') + 1;  // past "ttnn."
  while (start != 0 && start <= dotted.size()) {
    const size_t end = dotted.find('.', start);
    const std::string part = dotted.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!py::hasattr(obj, part.c_str())) {
      throw std::runtime_error("the installed ttnn has no " + dotted + " (the op table names it)");
    }
    obj = obj.attr(part.c_str());
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return cache->emplace(dotted, obj).first->second;
}

py::object to_ttnn(DataType type) {
  switch (type) {
    case DataType::BFLOAT16: return ttnn().attr("bfloat16");
    case DataType::FLOAT32: return ttnn().attr("float32");
    case DataType::INT32: return ttnn().attr("int32");
    case DataType::UINT32: return ttnn().attr("uint32");
    case DataType::UINT16: return ttnn().attr("uint16");
    case DataType::UINT8:
    case DataType::RAW: return ttnn().attr("uint8");  // RAW bytes are held as a row of uint8
    case DataType::BFLOAT8_B: return ttnn().attr("bfloat8_b");
    case DataType::BFLOAT4_B: return ttnn().attr("bfloat4_b");
  }
  throw std::logic_error("unknown data type");
}

py::object to_ttnn(Layout layout) {
  return ttnn().attr(layout == Layout::TILE ? "TILE_LAYOUT" : "ROW_MAJOR_LAYOUT");
}

DataType data_type_of(const py::handle& ttnn_dtype) {
  for (DataType t : {DataType::BFLOAT16, DataType::FLOAT32, DataType::INT32, DataType::UINT32, DataType::UINT16,
                     DataType::UINT8, DataType::BFLOAT8_B, DataType::BFLOAT4_B}) {
    if (ttnn_dtype.equal(to_ttnn(t))) return t;
  }
  throw std::runtime_error("ttnn returned a tensor of data type " + py::str(ttnn_dtype).cast<std::string>() +
                           ", which the device does not hold");
}

Layout layout_of(const py::handle& ttnn_layout) {
  if (ttnn_layout.equal(to_ttnn(Layout::TILE))) return Layout::TILE;
  if (ttnn_layout.equal(to_ttnn(Layout::ROW_MAJOR))) return Layout::ROW_MAJOR;
  throw std::runtime_error("ttnn returned a tensor of layout " + py::str(ttnn_layout).cast<std::string>());
}

void rethrow(const char* what, py::error_already_set& error) {
  std::string message = std::string(what) + " failed: " + error.what();
  error.restore();
  PyErr_Clear();
  throw std::runtime_error(message);
}

bool python_alive() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsInitialized() && !Py_IsFinalizing();
#else
  return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

}  // namespace ttnn_device::ops::hw
