// The device seam: one chip's memory and data movement, whatever backend provides it. Torch-free.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/board.h"
#include "runtime/tensor_desc.h"

namespace ttnn_device::runtime {

// A region of device DRAM. `handle` is backend-specific (the sim keeps host memory there).
struct Block {
  void* handle = nullptr;
  uint64_t bytes = 0;  // bytes reserved on the device, alignment included
};

// Raised when DRAM cannot hold a request; carries the figures the user needs.
class OutOfDeviceMemory : public std::runtime_error {
 public:
  OutOfDeviceMemory(int device, uint64_t requested, uint64_t free_bytes, uint64_t capacity);
  int device;
  uint64_t requested;
  uint64_t free_bytes;
  uint64_t capacity;
};

class Device {
 public:
  virtual ~Device() = default;
  virtual int index() const = 0;
  virtual const BoardProfile& board() const = 0;
  virtual std::string backend_name() const = 0;

  // DRAM accounting: a block reserves bytes rounded up to the board's DRAM alignment.
  // Throws OutOfDeviceMemory when the request does not fit; nothing already allocated is touched.
  virtual Block allocate(uint64_t bytes) = 0;
  virtual void free(Block block) = 0;
  virtual uint64_t capacity() const = 0;
  virtual uint64_t used() const = 0;

  // Host <-> device and device <-> device byte movement inside blocks.
  virtual void write(const Block& dst, uint64_t offset, const void* src, uint64_t bytes) = 0;
  virtual void read(const Block& src, uint64_t offset, void* dst, uint64_t bytes) const = 0;
  virtual void copy(const Block& src, uint64_t src_offset, const Block& dst, uint64_t dst_offset,
                    uint64_t bytes) = 0;
  // Repeats `pattern` (pattern_bytes long) over [offset, offset + bytes) of dst.
  virtual void fill(const Block& dst, uint64_t offset, uint64_t bytes, const void* pattern,
                    uint64_t pattern_bytes) = 0;
  // Waits for all queued work; the reference device is synchronous.
  virtual void synchronize() = 0;
  // Where a block's bytes live in this process, for backends that keep device memory on the host (the
  // reference device computes on it in place); nullptr for a real card.
  virtual void* host_address(const Block& /*block*/) const { return nullptr; }

  // Backends whose memory holds TT-NN tensors rather than addressable bytes (the hardware backend, where
  // a block holds a `ttnn.Tensor`): contents move as whole buffers of logical elements, and TT-NN itself
  // converts them to the physical format `desc` names (tilize, block-float packing). The byte calls above
  // are then not used by the device core.
  virtual bool holds_tensors() const { return false; }
  virtual void upload(const Block& dst, const TensorDesc& desc, const void* logical);
  virtual void download(const Block& src, const TensorDesc& desc, void* logical) const;
  // upload(), but it may return before the contents are on the device (a non-blocking copy): `logical`
  // must stay valid and unchanged until then, which `keep_alive` (dropped once the upload is done) sees
  // to. Any later use of the block, and synchronize(), wait for it. Backends without a transfer queue
  // upload at once.
  virtual void upload_async(const Block& dst, const TensorDesc& desc, const void* logical,
                            std::shared_ptr<void> /*keep_alive*/) {
    upload(dst, desc, logical);
  }
  // True while work queued on the device has not finished (a stream's query()).
  virtual bool busy() const { return false; }
  // The same logical bytes are now read as another element type (`from` and `to` hold the same bytes):
  // nothing to do where memory is bytes; the hardware backend re-creates a tensor it holds.
  virtual void reinterpret(const Block& /*block*/, const TensorDesc& /*from*/, const TensorDesc& /*to*/) {}
  // A block going back to the allocator's cache: its contents are dead (the hardware backend drops its
  // tensor, giving TT-NN the DRAM back; the reference device keeps the bytes, which cost nothing).
  virtual void discard_contents(const Block& /*block*/) {}
};

// Makes the devices of a backend other than the reference device (registered by the module that
// implements it, e.g. the hardware backend): `count` says how many chips it drives (throwing, with the
// reason, when it cannot run here), `make` opens one.
struct BackendFactory {
  int (*count)() = nullptr;
  std::unique_ptr<Device> (*make)(int index, const BoardProfile& board) = nullptr;
};
void register_backend(const std::string& name, BackendFactory factory);

// The devices of this process, created on first use from the environment (board profile, backend).
// The backend is the one select_backend() named before first use, else TTNN_DEVICE_BACKEND ("sim", the
// reference device, when unset or "auto": choosing the hardware by probing is the Python package's job).
class DeviceRegistry {
 public:
  static DeviceRegistry& instance();
  // Chooses the backend before any device exists; throws std::logic_error once devices are created with
  // another backend.
  void select_backend(const std::string& name);
  std::string backend();  // the backend in use (or to be used on first use)
  int count();  // never throws: 0 when the environment is invalid (see error())
  Device& device(int index);  // throws std::out_of_range naming the valid range
  const BoardProfile& board();
  std::string error();  // why count() is 0, if it is

 private:
  void init_locked();
  std::mutex mutex_;
  std::atomic<bool> ready_{false};  // set once devices_ is final
  std::string error_;
  std::string backend_;  // empty: from the environment
  BoardProfile board_;
  std::vector<std::unique_ptr<Device>> devices_;
};

}  // namespace ttnn_device::runtime
