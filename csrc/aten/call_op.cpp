#include "aten/call_op.h"

#include <pybind11/stl.h>
#include <torch/csrc/autograd/python_variable.h>
#include <torch/csrc/utils/pybind.h>

#include "aten/tt_view.h"
#include "ops/dispatch.h"
#include "ops/op_table.h"
#include "ops/ttnn/hardware_ops.h"
#include "runtime/device.h"

namespace py = pybind11;

namespace ttnn_device::aten {
namespace {

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
      std::vector<ops::TtTensor> results;
      {
        py::gil_scoped_release no_gil;  // as torch's own op bindings do; a backend takes it when it needs it
        results = ops::call(spec.op.c_str(), args);
      }
      for (auto& t : results) outs.push_back(wrap(t, ops::torch_type(t.host_type), t.shape));
    } catch (const Decline& d) {
      throw py::value_error(d.reason);
    }
    return outs;
  });
  // The hardware backend's ttnn.Tensor behind a ttnn tensor (for tests and for handing tensors to ttnn).
  m.def("_ttnn_tensor", [](const at::Tensor& tensor) -> py::object {
    if (runtime::DeviceRegistry::instance().backend() != "ttnn") {
      throw py::value_error("ttnn tensors are TT-NN tensors only on the hardware backend (TTNN_DEVICE_BACKEND=ttnn)");
    }
    ops::TtTensor t;
    {
      py::gil_scoped_release no_gil;
      t = to_tt(tensor, /*math=*/false);
    }
    return ops::hw::ttnn_tensor_of(t);
  });
}

}  // namespace ttnn_device::aten
