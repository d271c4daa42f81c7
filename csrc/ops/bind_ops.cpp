#include "ops/bind_ops.h"

#include <pybind11/stl.h>

#include <algorithm>

#include "ops/dispatch.h"
#include "ops/numerics.h"
#include "ops/op_table.h"

namespace py = pybind11;

namespace ttnn_device::ops {

namespace {
const char* to_string(OutputLayout layout) {
  switch (layout) {
    case OutputLayout::kInput: return "input";
    case OutputLayout::kTile: return "TILE";
    case OutputLayout::kRowMajor: return "ROW_MAJOR";
  }
  return "?";
}
}  // namespace

void bind_ops(py::module_& m) {
  m.def("_op_table", [] {
    const auto implemented = implemented_ops();
    py::list rows;
    for (const auto& spec : op_table()) {
      py::dict d;
      d["op"] = spec.op;
      d["ttnn"] = spec.ttnn;
      d["family"] = spec.family;
      d["params"] = spec.params;
      std::vector<std::string> dtypes, layouts;
      for (auto t : spec.dtypes) dtypes.push_back(runtime::to_string(t));
      for (auto l : spec.layouts) layouts.push_back(runtime::to_string(l));
      d["dtypes"] = dtypes;
      d["layouts"] = layouts;
      d["output_layout"] = to_string(spec.output_layout);
      d["constraints"] = spec.constraints;
      d["implemented"] = std::find(implemented.begin(), implemented.end(), spec.op) != implemented.end();
      rows.append(d);
    }
    return rows;
  });
  m.def("_op_counts", [] { return op_counts(); });
  m.def("_conversion_counts", [] {
    const auto c = conversion_counts();
    py::dict d;
    d["count"] = c.count;
    d["bytes"] = c.bytes;
    return d;
  });
  m.def("_reset_op_counts", [] { reset_op_counts(); });
  m.def("_get_numerics", [] { return std::string(to_string(numerics())); });
  m.def("_set_numerics", [](const std::string& mode) {
    try {
      set_numerics(parse_numerics(mode));
    } catch (const std::invalid_argument& e) {
      throw py::value_error(e.what());
    }
  });
}

}  // namespace ttnn_device::ops
