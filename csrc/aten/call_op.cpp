#include "aten/call_op.h"

#include <pybind11/stl.h>
#include <torch/csrc/autograd/python_variable.h>
#include <torch/csrc/utils/pybind.h>

#include "aten/tt_view.h"
#include "ops/dispatch.h"
#include "ops/op_table.h"

namespace py = pybind11;

namespace ttnn_device::aten {
namespace {

c10::ScalarType torch_type(DataType host_type) {
  switch (host_type) {
    case DataType::FLOAT32: return c10::kFloat;
    case DataType::BFLOAT16: return c10::kBFloat16;
    case DataType::INT32: return c10::kInt;
    case DataType::UINT32: return c10::kUInt32;
    case DataType::UINT16: return c10::kUInt16;
    case DataType::UINT8: return c10::kByte;
    default: break;
  }
  throw py::type_error("no torch dtype for this TT data type");
}

ops::Value to_value(const char* name, const py::handle& v) {
  if (THPVariable_Check(v.ptr())) return to_tt(THPVariable_Unpack(v.ptr()), /*math=*/false);
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>();
  if (py::isinstance<py::int_>(v)) return v.cast<int64_t>();
  if (py::isinstance<py::float_>(v)) return v.cast<double>();
  if (py::isinstance<py::str>(v)) {
    const std::string s = v.cast<std::string>();
    if (std::string(name) == "dtype") return runtime::parse_data_type(s);
    if (std::string(name) == "layout") return runtime::parse_layout(s);
    return s;
  }
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    py::sequence seq = v.cast<py::sequence>();
    if (py::len(seq) > 0 && THPVariable_Check(seq[0].ptr())) {
      std::vector<TtTensor> tensors;
      for (const auto& item : seq) tensors.push_back(to_tt(THPVariable_Unpack(item.ptr()), false));
      return tensors;
    }
    return v.cast<std::vector<int64_t>>();
  }
  throw py::type_error(std::string("argument ") + name + " has a type the vocabulary does not take");
}

}  // namespace

void bind_call_op(py::module_& m) {
  // The op and argument names must outlive the call (the vocabulary keys caches by their pointers): the
  // table's strings do.
  m.def("_call_op", [](const std::string& op, const py::dict& kwargs) {
    const auto& spec = ops::op_spec(op);
    std::vector<at::Tensor> outs;
    try {
      ops::Args args;
      for (const auto& [key, value] : kwargs) {
        const std::string name = key.cast<std::string>();
        auto it = std::find(spec.params.begin(), spec.params.end(), name);
        if (it == spec.params.end()) throw py::value_error(op + " takes no parameter " + name);
        args.set(it->c_str(), to_value(it->c_str(), value));
      }
      for (auto& t : ops::call(spec.op.c_str(), args)) {
        outs.push_back(wrap(t, torch_type(t.host_type), t.shape));
      }
    } catch (const Decline& d) {
      throw py::value_error(d.reason);
    }
    return outs;
  });
}

}  // namespace ttnn_device::aten
