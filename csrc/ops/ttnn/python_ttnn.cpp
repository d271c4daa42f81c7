#include "ops/ttnn/python_ttnn.h"

#include <Python.h>

#include <iterator>
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

namespace {

constexpr DataType kDataTypes[] = {DataType::BFLOAT16, DataType::FLOAT32,   DataType::INT32,    DataType::UINT32,
                                   DataType::UINT16,   DataType::UINT8,     DataType::BFLOAT8_B, DataType::BFLOAT4_B};

const char* ttnn_name(DataType type) {
  switch (type) {
    case DataType::BFLOAT16: return "bfloat16";
    case DataType::FLOAT32: return "float32";
    case DataType::INT32: return "int32";
    case DataType::UINT32: return "uint32";
    case DataType::UINT16: return "uint16";
    case DataType::UINT8:
    case DataType::RAW: return "uint8";  // RAW bytes are held as a row of uint8
    case DataType::BFLOAT8_B: return "bfloat8_b";
    case DataType::BFLOAT4_B: return "bfloat4_b";
  }
  throw std::logic_error("unknown data type");
}

// ttnn's data type and layout enum values, looked up once: every op call converts its results' types,
// and a module attribute lookup per conversion is a measurable part of the backend's per-op cost.
struct Enums {
  py::object data_types[std::size(kDataTypes)];
  py::object tile, row_major;
};

const Enums& enums() {
  static Enums* cached = nullptr;  // held for the process's life, like the module
  if (!cached) {
    auto* e = new Enums();
    for (size_t i = 0; i < std::size(kDataTypes); ++i) e->data_types[i] = ttnn().attr(ttnn_name(kDataTypes[i]));
    e->tile = ttnn().attr("TILE_LAYOUT");
    e->row_major = ttnn().attr("ROW_MAJOR_LAYOUT");
    cached = e;
  }
  return *cached;
}

}  // namespace

py::object to_ttnn(DataType type) {
  if (type == DataType::RAW) type = DataType::UINT8;
  for (size_t i = 0; i < std::size(kDataTypes); ++i) {
    if (kDataTypes[i] == type) return enums().data_types[i];
  }
  throw std::logic_error("unknown data type");
}

py::object to_ttnn(Layout layout) { return layout == Layout::TILE ? enums().tile : enums().row_major; }

DataType data_type_of(const py::handle& ttnn_dtype) {
  const Enums& e = enums();
  for (size_t i = 0; i < std::size(kDataTypes); ++i) {  // enum values are singletons: identity first
    if (ttnn_dtype.is(e.data_types[i])) return kDataTypes[i];
  }
  for (size_t i = 0; i < std::size(kDataTypes); ++i) {
    if (ttnn_dtype.equal(e.data_types[i])) return kDataTypes[i];
  }
  throw std::runtime_error("ttnn returned a tensor of data type " + py::str(ttnn_dtype).cast<std::string>() +
                           ", which the device does not hold");
}

Layout layout_of(const py::handle& ttnn_layout) {
  const Enums& e = enums();
  if (ttnn_layout.is(e.tile) || ttnn_layout.equal(e.tile)) return Layout::TILE;
  if (ttnn_layout.is(e.row_major) || ttnn_layout.equal(e.row_major)) return Layout::ROW_MAJOR;
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
