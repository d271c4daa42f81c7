// One chip of a Tenstorrent card, opened through the `ttnn` package: the hardware backend's side of the
// device seam. A block is a slot holding the `ttnn.Tensor` (in device DRAM) that stores the buffer's
// contents; TT-NN's own allocator places it, and this class only keeps the books torch's memory
// statistics and out-of-memory errors are made of (the sizes of the tensors we hold, against the
// board's DRAM). Transfers are `ttnn.from_torch(..., device=)` and `ttnn.to_torch`, so tilize and
// block-float packing happen where TT-NN does them.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <memory>

#include "core/py_shape.h"
#include "ops/ttnn/transfer_queue.h"
#include "runtime/device.h"

namespace ttnn_device::ops::hw {

namespace py = pybind11;

class HardwareDevice final : public runtime::Device {
 public:
  // Opens chip `index` (ttnn.open_device); the GIL must not be held by another waiting thread.
  HardwareDevice(int index, runtime::BoardProfile board);
  int index() const override { return index_; }
  const runtime::BoardProfile& board() const override { return board_; }
  std::string backend_name() const override { return "ttnn"; }

  runtime::Block allocate(uint64_t bytes) override;
  void free(runtime::Block block) override;
  uint64_t capacity() const override { return board_.dram_bytes; }
  uint64_t used() const override { return used_.load(); }

  // Byte ranges have no meaning for a TT-NN tensor: the device core moves whole buffers here.
  void write(const runtime::Block&, uint64_t, const void*, uint64_t) override;
  void read(const runtime::Block&, uint64_t, void*, uint64_t) const override;
  void copy(const runtime::Block&, uint64_t, const runtime::Block&, uint64_t, uint64_t) override;
  void fill(const runtime::Block&, uint64_t, uint64_t, const void*, uint64_t) override;
  void synchronize() override;

  bool holds_tensors() const override { return true; }
  void upload(const runtime::Block& dst, const runtime::TensorDesc& desc, const void* logical) override;
  void download(const runtime::Block& src, const runtime::TensorDesc& desc, void* logical) const override;
  // Runs on the transfer queue's thread; the block's next use waits for it.
  void upload_async(const runtime::Block& dst, const runtime::TensorDesc& desc, const void* logical,
                    std::shared_ptr<void> keep_alive) override;
  bool busy() const override { return !transfers_->idle(); }
  void reinterpret(const runtime::Block& block, const runtime::TensorDesc& from, const runtime::TensorDesc& to) override;
  void discard_contents(const runtime::Block& block) override;

  // The backend's ops (GIL held): the ttnn device object, and the tensor a block holds (None if none).
  // tensor_of and hold wait for the block's queued upload first (releasing the GIL meanwhile).
  py::object device_object() const;
  static py::object tensor_of(const runtime::Block& block);
  static void hold(const runtime::Block& block, py::object tensor);
  // Tests only: holds queued uploads back (so that a test can see a copy in flight), or lets them run.
  void pause_transfers(bool paused) { transfers_->pause(paused); }

 private:
  int index_;
  runtime::BoardProfile board_;
  PyObject* device_ = nullptr;  // ttnn's device, kept open for the process
  std::atomic<uint64_t> used_{0};
  // Leaked with the device (devices live for the process); close_all() drains it.
  TransferQueue* transfers_ = new TransferQueue();
};

// Closes every opened chip (ttnn.close_device); tensors still held are dropped first.
void close_all();
// How many chips ttnn can open here (GetNumAvailableDevices); throws with the reason when none.
int available_chips();

}  // namespace ttnn_device::ops::hw
