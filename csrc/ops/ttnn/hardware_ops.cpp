// The hardware backend's op vocabulary: every op is the `ttnn` function its op-table row names, called
// with the call's arguments as keyword arguments (the table's parameter names are TT-NN's), TT tensors
// passed as the `ttnn.Tensor` objects their buffers hold. The few arguments the card needs beyond the
// vocabulary's (the device, compute kernel configs) come from kExtras below, which the op-table contract
// test checks against the installed `ttnn` like the table itself.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ops/dispatch.h"
#include "ops/numerics.h"
#include "ops/reshape_rule.h"
#include "ops/ttnn/hardware_device.h"
#include "ops/ttnn/hardware_ops.h"
#include "ops/ttnn/python_ttnn.h"
#include "runtime/device.h"

namespace ttnn_device::ops::hw {
namespace {

enum class Extra {
  kDevice,               // the ttnn device object (ops that create tensors or need the device's cores)
  kExactComputeConfig,   // exact numerics: HiFi4 with float32 accumulation (tt numerics: TT-NN's default)
};

struct ExtraParam {
  const char* op;
  const char* param;
  Extra what;
};

// clang-format off
const ExtraParam kExtras[] = {
  {"conv2d", "device", Extra::kDevice},
  {"conv_transpose2d", "device", Extra::kDevice},
  {"matmul", "compute_kernel_config", Extra::kExactComputeConfig},
  {"linear", "compute_kernel_config", Extra::kExactComputeConfig},
  {"softmax", "compute_kernel_config", Extra::kExactComputeConfig},
  {"scale_mask_softmax", "compute_kernel_config", Extra::kExactComputeConfig},
  {"moreh_logsoftmax", "compute_kernel_config", Extra::kExactComputeConfig},
  {"layer_norm", "compute_kernel_config", Extra::kExactComputeConfig},
  {"rms_norm", "compute_kernel_config", Extra::kExactComputeConfig},
  {"sum", "compute_kernel_config", Extra::kExactComputeConfig},
  {"mean", "compute_kernel_config", Extra::kExactComputeConfig},
  {"var", "compute_kernel_config", Extra::kExactComputeConfig},
  {"std", "compute_kernel_config", Extra::kExactComputeConfig},
};
// clang-format on

// Ops that write into one of their arguments (TT-NN's in-place ops): the result is that argument's
// storage, not a new one.
struct InPlace {
  const char* op;
  const char* param;
};
const InPlace kInPlace[] = {{"experimental.slice_write", "output_tensor"}};

const char* in_place_param(const OpSpec& spec) {
  for (const auto& e : kInPlace) {
    if (spec.op == e.op) return e.param;
  }
  return nullptr;
}

HardwareDevice& device_at(int index) {
  return dynamic_cast<HardwareDevice&>(runtime::DeviceRegistry::instance().device(index));
}

py::object exact_compute_config() {
  static py::object* config = nullptr;
  if (!config) {
    py::object t = ttnn();
    config = new py::object(t.attr("WormholeComputeKernelConfig")(
        py::arg("math_fidelity") = t.attr("MathFidelity").attr("HiFi4"), py::arg("math_approx_mode") = false,
        py::arg("fp32_dest_acc_en") = true, py::arg("packer_l1_acc") = false));
  }
  return *config;
}

// Contents for buffers that were never written (torch.empty): zeros, as the reference device reads them.
// A buffer still holding untyped bytes (a storage torch wrote as bytes) read as elements is named first, so
// that its tensor holds those elements (on the reference device the bytes are read in place).
void materialize(const std::vector<const TtTensor*>& tensors) {
  for (const TtTensor* t : tensors) {
    core::DeviceBuffer* buffer = t->buffer();
    if (!buffer) continue;
    const auto desc = buffer->desc();
    if (desc.data_type == DataType::RAW && t->host_type != DataType::RAW && t->layout == Layout::ROW_MAJOR) {
      const size_t size = host_element_size(t->host_type);
      buffer->set_element_type(t->host_type, static_cast<uint32_t>(size),
                               {static_cast<int64_t>(buffer->logical_bytes() / size)});
    }
  }
  std::vector<core::DeviceBuffer*> unwritten;
  {
    py::gil_scoped_acquire gil;  // once for all operands: the GIL hand-off is part of every op's cost
    for (const TtTensor* t : tensors) {
      core::DeviceBuffer* buffer = t->buffer();
      if (buffer && HardwareDevice::tensor_of(buffer->block()).is_none() &&
          std::find(unwritten.begin(), unwritten.end(), buffer) == unwritten.end()) {
        unwritten.push_back(buffer);
      }
    }
  }
  for (core::DeviceBuffer* buffer : unwritten) {
    std::vector<uint8_t> zeros(buffer->logical_bytes(), 0);
    buffer->write(0, zeros.size(), zeros.data());
  }
}

void materialize_all(const Args& args, int& device) {
  std::vector<const TtTensor*> tensors;
  for (const auto& [name, value] : args.items()) {
    if (const auto* t = std::get_if<TtTensor>(&value)) {
      tensors.push_back(t);
      if (t->buffer()) device = t->device().index();
    } else if (const auto* ts = std::get_if<std::vector<TtTensor>>(&value)) {
      for (const auto& x : *ts) {
        tensors.push_back(&x);
        if (x.buffer()) device = x.device().index();
      }
    }
  }
  materialize(tensors);
  if (device < 0) {
    if (const auto* d = args.find("device")) {
      if (const auto* i = std::get_if<int64_t>(d)) device = static_cast<int>(*i);
    }
  }
}

// `tensor` read with another shape of the same elements (ttnn.reshape: free for ROW_MAJOR on the card).
py::object reshaped(const py::object& tensor, const Shape& shape) {
  return ttnn().attr("reshape")(py::arg("input_tensor") = tensor, py::arg("shape") = py::cast(shape));
}

// A TT tensor as the ttnn.Tensor its buffer holds, read with the TT tensor's shape.
py::object as_ttnn(const TtTensor& t) {
  core::DeviceBuffer* buffer = t.buffer();
  if (!buffer) throw std::invalid_argument("the hardware backend cannot pass a tensor of no elements to ttnn");
  py::object obj = HardwareDevice::tensor_of(buffer->block());
  const auto desc = buffer->desc();
  if (desc.host_type != t.host_type) {
    // A bit view between dtypes (Tensor.view(dtype)): the reference device reads the bytes as they are;
    // a TT-NN tensor has one data type, so this is refused rather than read as the wrong values.
    throw std::invalid_argument(std::string("the hardware backend cannot read a ") + runtime::to_string(desc.host_type) +
                                " storage as " + runtime::to_string(t.host_type) + " elements (a dtype view) yet");
  }
  const auto& stored = desc.shape;
  if (stored != t.shape && !(t.shape.empty() && stored == Shape{1})) {
    obj = reshaped(obj, t.shape);
  }
  return obj;
}

// Arguments the vocabulary holds flat that TT-NN takes as (before, after) pairs.
bool paired(const OpSpec& spec, const char* name) { return spec.op == "pad" && std::strcmp(name, "padding") == 0; }

py::object pairs(const std::vector<int64_t>& flat) {
  py::list out;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) out.append(py::make_tuple(flat[i], flat[i + 1]));
  return std::move(out);
}

py::object to_python(const char* name, const Value& value, int device) {
  return std::visit(
      [&](const auto& v) -> py::object {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) {
          return py::none();
        } else if constexpr (std::is_same_v<V, TtTensor>) {
          return as_ttnn(v);
        } else if constexpr (std::is_same_v<V, std::vector<TtTensor>>) {
          py::list out;
          for (const auto& t : v) out.append(as_ttnn(t));
          return std::move(out);
        } else if constexpr (std::is_same_v<V, DataType> || std::is_same_v<V, Layout>) {
          return to_ttnn(v);
        } else if constexpr (std::is_same_v<V, int64_t>) {
          if (std::strcmp(name, "device") == 0) return device_at(static_cast<int>(v)).device_object();
          return py::int_(v);
        } else {
          return py::cast(v);
        }
      },
      value);
}

struct Result {
  Shape shape;
  Layout layout;
  DataType dtype;
  py::object tensor;
};

void collect(const py::handle& out, std::vector<Result>& results) {
  if (py::isinstance<py::tuple>(out) || py::isinstance<py::list>(out)) {
    for (const auto& item : out) collect(item, results);
    return;
  }
  if (out.is_none()) return;
  Result r;
  // By index: iterating a ttnn.Shape ends in a C++ exception inside nanobind, a cost paid per op.
  const py::object shape = out.attr("shape");
  const size_t rank = py::len(shape);
  r.shape.reserve(rank);
  for (size_t i = 0; i < rank; ++i) r.shape.push_back(shape[py::int_(i)].cast<int64_t>());
  r.layout = layout_of(out.attr("layout"));
  r.dtype = data_type_of(out.attr("dtype"));
  r.tensor = py::reinterpret_borrow<py::object>(out);
  results.push_back(std::move(r));
}

bool out_of_memory(const std::string& message) {
  return message.find("Out of Memory") != std::string::npos || message.find("out of memory") != std::string::npos;
}

std::vector<TtTensor> call_ttnn(const OpSpec& spec, const Args& args) {
  int device = -1;
  materialize_all(args, device);
  if (device < 0) throw std::invalid_argument("vocabulary call " + spec.op + " names no device");
  std::vector<Result> results;
  {
    py::gil_scoped_acquire gil;
    try {
      py::dict kwargs;
      for (const auto& [name, value] : args.items()) {
        const auto* flat = std::get_if<std::vector<int64_t>>(&value);
        kwargs[name] = flat && paired(spec, name) ? pairs(*flat) : to_python(name, value, device);
      }
      for (const auto& extra : kExtras) {
        if (spec.op != extra.op) continue;
        if (extra.what == Extra::kDevice) kwargs[extra.param] = device_at(device).device_object();
        if (extra.what == Extra::kExactComputeConfig && numerics() == Numerics::kExact) {
          kwargs[extra.param] = exact_compute_config();
        }
      }
      py::object out = function(spec.ttnn)(**kwargs);
      collect(out, results);
    } catch (py::error_already_set& e) {
      const std::string message = e.what();
      if (e.matches(PyExc_MemoryError) || out_of_memory(message)) {
        e.restore();
        PyErr_Clear();
        TORCH_CHECK_WITH(OutOfMemoryError, false, "ttnn out of memory on device ttnn:", device, " in ", spec.ttnn, ": ",
                         message);
      }
      rethrow(spec.ttnn.c_str(), e);
    }
  }
  if (const char* param = in_place_param(spec)) {
    // The written tensor (read with the call's shape) becomes the destination storage's contents.
    const TtTensor& dst = args.tensor(param);
    core::DeviceBuffer* buffer = dst.buffer();
    py::gil_scoped_acquire gil;
    if (buffer && !results.empty()) {
      py::object written = results.front().tensor;
      const Shape stored = buffer->desc().shape;
      if (results.front().shape != stored) written = reshaped(written, stored);
      HardwareDevice::hold(buffer->block(), std::move(written));
      buffer->contents_changed();
    }
    results.clear();
    return {dst};
  }
  // Storages are made without the GIL (the allocator may free cached blocks, which takes it).
  const c10::Device torch_device(c10::DeviceType::PrivateUse1, static_cast<c10::DeviceIndex>(device));
  std::vector<TtTensor> out;
  for (auto& r : results) {
    TtTensor t;
    try {
      t = allocate(torch_device, r.shape, r.layout, r.dtype, host_type_for(r.dtype));
    } catch (...) {
      py::gil_scoped_acquire gil;  // the results' references are dropped with the GIL held
      results.clear();
      throw;
    }
    py::gil_scoped_acquire gil;
    if (core::DeviceBuffer* buffer = t.buffer()) {
      HardwareDevice::hold(buffer->block(), std::move(r.tensor));
      buffer->contents_changed();
    } else {
      r.tensor = py::object();
    }
    out.push_back(std::move(t));
  }
  return out;
}

// A reshape of a ROW_MAJOR tensor is free in TT-NN (the buffer is shared), as on the reference device: the
// result reads the same storage with the new shape (and stays an alias, which write-backs rely on); the
// tensor handed to ttnn is reshaped when an op reads it.
std::vector<TtTensor> reshape_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  const std::vector<int64_t> shape = resolve_reshape(args.ints("shape"), x.numel());
  if (x.layout == Layout::ROW_MAJOR || shape == x.shape || !x.buffer()) {
    TtTensor view = x;
    view.shape = shape;
    return {view};
  }
  return call_ttnn(op_spec("reshape"), args);
}

std::unique_ptr<runtime::Device> open_chip(int index, const runtime::BoardProfile& board) {
  return std::make_unique<HardwareDevice>(index, board);
}

const bool registered = [] {
  register_generic_impl("ttnn", call_ttnn);
  register_impls("ttnn", {{"reshape", reshape_impl}});
  runtime::register_backend("ttnn", runtime::BackendFactory{available_chips, open_chip});
  return true;
}();

}  // namespace

std::vector<std::pair<std::string, std::string>> extra_params() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : kExtras) out.emplace_back(e.op, e.param);
  return out;
}

py::object ttnn_tensor_of(const TtTensor& t) { return as_ttnn(t); }

}  // namespace ttnn_device::ops::hw
