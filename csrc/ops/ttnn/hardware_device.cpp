#include "ops/ttnn/hardware_device.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/python_variable.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "ops/tt_tensor.h"
#include "ops/ttnn/python_ttnn.h"

namespace ttnn_device::ops::hw {

using runtime::Block;
using runtime::DataType;
using runtime::TensorDesc;

namespace {

// What a block's handle points to. `tensor` is a strong reference, changed only with the GIL held;
// `upload` is the ticket of the last upload queued for the block on `transfers` (0: none).
struct Slot {
  PyObject* tensor = nullptr;
  TransferQueue* transfers = nullptr;
  std::atomic<uint64_t> upload{0};
};

Slot& slot(const Block& block) { return *static_cast<Slot*>(block.handle); }

std::mutex opened_mutex;
std::vector<PyObject*> opened;              // devices to close at exit
std::vector<TransferQueue*> opened_queues;  // their transfer queues, drained first
bool closed = false;                        // after close_all no tensor may reach ttnn again

// Waits until `wait` returns, without the GIL if this thread holds it: the queue's work needs it.
template <class Wait>
void without_gil(Wait wait) {
  if (Py_IsInitialized() && PyGILState_Check()) {
    py::gil_scoped_release release;
    wait();
  } else {
    wait();
  }
}

// A block's queued upload has finished (and its failure, if any, is raised here).
void settle(const Block& block) {
  if (!block.handle) return;
  Slot& s = slot(block);
  const uint64_t ticket = s.upload.load(std::memory_order_acquire);
  if (ticket == 0 || s.transfers->done(ticket)) return;
  without_gil([&] { s.transfers->wait(ticket); });
}

// Puts a tensor in a block's slot (GIL held), dropping the one it held.
void put(const Block& block, py::object tensor) {
  PyObject* old = slot(block).tensor;
  slot(block).tensor = tensor.release().ptr();
  Py_XDECREF(old);
}

// The torch view of a buffer's logical elements (RAW bytes as a row of uint8).
at::Tensor logical_view(const TensorDesc& desc, const void* logical) {
  if (desc.host_type == DataType::RAW) {
    return at::from_blob(const_cast<void*>(logical), {static_cast<int64_t>(desc.logical_bytes())}, at::kByte);
  }
  return at::from_blob(const_cast<void*>(logical), desc.shape, torch_type(desc.host_type));
}

// The logical elements back from ttnn.to_torch, in the host type: block floats come back as float32,
// bfloat16 data stored for float32 tensors as bfloat16 (widening is exact), integers as ttnn's torch type
// of the same width (the bits are kept).
at::Tensor in_host_type(at::Tensor t, const TensorDesc& desc) {
  const auto want = desc.host_type == DataType::RAW ? at::kByte : torch_type(desc.host_type);
  if (t.scalar_type() != want) {
    const bool same_width_ints = !at::isFloatingType(t.scalar_type()) && !at::isFloatingType(want) &&
                                 t.element_size() == c10::elementSize(want);
    t = same_width_ints ? t.view(want) : t.to(want);
  }
  return t.contiguous();
}

}  // namespace

HardwareDevice::HardwareDevice(int index, runtime::BoardProfile board) : index_(index), board_(std::move(board)) {
  py::gil_scoped_acquire gil;
  try {
    py::object device = ttnn().attr("open_device")(py::arg("device_id") = index);
    device_ = device.release().ptr();
  } catch (py::error_already_set& e) {
    rethrow(("ttnn.open_device(device_id=" + std::to_string(index) + ")").c_str(), e);
  }
  std::lock_guard<std::mutex> lock(opened_mutex);
  opened.push_back(device_);
  opened_queues.push_back(transfers_);
}

Block HardwareDevice::allocate(uint64_t bytes) {
  const uint64_t align = board_.dram_alignment;
  const uint64_t reserved = (bytes + align - 1) / align * align;
  uint64_t current = used_.load();
  do {
    if (reserved > capacity() || current > capacity() - reserved) {
      throw runtime::OutOfDeviceMemory(index_, bytes, capacity() - current, capacity());
    }
  } while (!used_.compare_exchange_weak(current, current + reserved));
  Slot* fresh = new Slot();
  fresh->transfers = transfers_;
  return Block{fresh, reserved};
}

void HardwareDevice::free(Block block) {
  if (!block.handle) return;
  discard_contents(block);
  delete &slot(block);
  used_ -= block.bytes;
}

namespace {
[[noreturn]] void no_byte_access() {
  throw std::logic_error("the hardware backend holds TT-NN tensors: device memory moves as whole tensors");
}
}  // namespace

void HardwareDevice::write(const Block&, uint64_t, const void*, uint64_t) { no_byte_access(); }
void HardwareDevice::read(const Block&, uint64_t, void*, uint64_t) const { no_byte_access(); }
void HardwareDevice::copy(const Block&, uint64_t, const Block&, uint64_t, uint64_t) { no_byte_access(); }
void HardwareDevice::fill(const Block&, uint64_t, uint64_t, const void*, uint64_t) { no_byte_access(); }

void HardwareDevice::synchronize() {
  without_gil([&] { transfers_->wait_all(); });
  py::gil_scoped_acquire gil;
  try {
    ttnn().attr("synchronize_device")(py::handle(device_));
  } catch (py::error_already_set& e) {
    rethrow("ttnn.synchronize_device", e);
  }
}

namespace {
// ttnn.from_torch of a buffer's logical elements onto `device` (GIL held).
py::object from_torch(PyObject* device, const TensorDesc& desc, const void* logical) {
  const at::Tensor host = logical_view(desc, logical);
  try {
    return ttnn().attr("from_torch")(
        py::reinterpret_steal<py::object>(THPVariable_Wrap(host)), py::arg("dtype") = to_ttnn(desc.data_type),
        py::arg("layout") = to_ttnn(desc.layout), py::arg("device") = py::handle(device),
        py::arg("memory_config") = ttnn().attr("DRAM_MEMORY_CONFIG"));
  } catch (py::error_already_set& e) {
    rethrow("ttnn.from_torch", e);
  }
}
}  // namespace

void HardwareDevice::upload(const Block& dst, const TensorDesc& desc, const void* logical) {
  py::gil_scoped_acquire gil;
  hold(dst, from_torch(device_, desc, logical));
}

void HardwareDevice::upload_async(const Block& dst, const TensorDesc& desc, const void* logical,
                                  std::shared_ptr<void> keep_alive) {
  // Runs after every upload queued before it, so the block's last queued upload is the one it keeps.
  // The device outlives its queue's work (devices live for the process), and free() waits for the block.
  PyObject* device = device_;
  const uint64_t ticket = transfers_->submit([device, dst, desc, logical, keep_alive = std::move(keep_alive)] {
    if (!python_alive()) throw std::runtime_error("the interpreter is shutting down");
    py::gil_scoped_acquire gil;
    put(dst, from_torch(device, desc, logical));
  });
  slot(dst).upload.store(ticket, std::memory_order_release);
}

void HardwareDevice::download(const Block& src, const TensorDesc& desc, void* logical) const {
  at::Tensor values;
  {
    py::gil_scoped_acquire gil;
    py::object t = tensor_of(src);
    if (t.is_none()) {
      std::memset(logical, 0, desc.logical_bytes());  // never written: reads as zeros
      return;
    }
    try {
      py::object out = ttnn().attr("to_torch")(t);
      values = THPVariable_Unpack(out.ptr());
    } catch (py::error_already_set& e) {
      rethrow("ttnn.to_torch", e);
    }
  }
  values = in_host_type(values, desc);
  if (static_cast<size_t>(values.nbytes()) != desc.logical_bytes()) {
    throw std::runtime_error("ttnn.to_torch returned " + std::to_string(values.nbytes()) + " bytes for a buffer of " +
                             std::to_string(desc.logical_bytes()));
  }
  std::memcpy(logical, values.data_ptr(), desc.logical_bytes());
}

void HardwareDevice::reinterpret(const Block& block, const TensorDesc& from, const TensorDesc& to) {
  {
    py::gil_scoped_acquire gil;
    if (tensor_of(block).is_none()) return;
  }
  std::vector<uint8_t> logical(from.logical_bytes());
  download(block, from, logical.data());
  upload(block, to, logical.data());
}

void HardwareDevice::discard_contents(const Block& block) {
  if (!block.handle) return;
  if (!python_alive()) return;  // at exit: left to the process's end
  settle(block);
  if (!slot(block).tensor) return;
  py::gil_scoped_acquire gil;
  PyObject* old = slot(block).tensor;
  slot(block).tensor = nullptr;
  std::lock_guard<std::mutex> lock(opened_mutex);
  if (!closed) Py_XDECREF(old);
}

py::object HardwareDevice::device_object() const { return py::reinterpret_borrow<py::object>(device_); }

py::object HardwareDevice::tensor_of(const Block& block) {
  settle(block);
  PyObject* t = block.handle ? slot(block).tensor : nullptr;
  return t ? py::reinterpret_borrow<py::object>(t) : py::none();
}

void HardwareDevice::hold(const Block& block, py::object tensor) {
  settle(block);  // else a queued upload finishing later would overwrite this newer tensor
  put(block, std::move(tensor));
}

void close_all() {
  std::vector<TransferQueue*> queues;
  {
    std::lock_guard<std::mutex> lock(opened_mutex);
    queues = opened_queues;
  }
  for (TransferQueue* queue : queues) {
    try {
      without_gil([&] { queue->wait_all(); });
    } catch (const std::exception&) {
      // a failed non-blocking copy nobody waited for: nothing is left to deliver it to at exit
    }
  }
  py::gil_scoped_acquire gil;
  std::vector<PyObject*> devices;
  {
    std::lock_guard<std::mutex> lock(opened_mutex);
    if (closed) return;
    closed = true;
    devices.swap(opened);
  }
  for (PyObject* d : devices) {
    try {
      ttnn().attr("close_device")(py::handle(d));
    } catch (py::error_already_set& e) {
      PyErr_WarnEx(PyExc_RuntimeWarning, (std::string("ttnn.close_device failed: ") + e.what()).c_str(), 1);
    }
  }
}

int available_chips() {
  py::gil_scoped_acquire gil;
  try {
    return ttnn().attr("GetNumAvailableDevices")().cast<int>();
  } catch (py::error_already_set& e) {
    rethrow("ttnn.GetNumAvailableDevices", e);
  }
}

}  // namespace ttnn_device::ops::hw
