// One torch storage's device memory: a DRAM block holding the storage's bytes in a TT-NN physical format.
// It is the DataPtr context of every ttnn storage. Torch only ever sees logical bytes (what the storage
// would hold on the CPU); this class translates them to and from the physical format (ROW_MAJOR or TILE,
// plain or block-float), so the format stays invisible to torch (docs/design.md, invariant 2).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "runtime/device.h"
#include "runtime/tensor_desc.h"

namespace ttnn_device::core {

using runtime::Block;
using runtime::TensorDesc;

class DeviceBuffer {
 public:
  // A new buffer of `logical_bytes` untyped bytes (RAW, ROW_MAJOR). `address` is the stable
  // device address torch sees as the storage's data pointer.
  DeviceBuffer(int device, uint64_t address, uint64_t logical_bytes, Block block);
  // A new buffer already in physical format `desc` (whose logical bytes are `logical_bytes`), its
  // contents not yet written: a fresh op output, formatted without a second block or lock.
  DeviceBuffer(int device, uint64_t address, uint64_t logical_bytes, Block block, TensorDesc desc);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  int device() const { return device_; }
  uint64_t address() const { return address_; }
  uint64_t logical_bytes() const { return logical_bytes_; }
  TensorDesc desc() const;
  // `look(desc)`, for a caller that needs a few fields without a copy. Every operand of every op is
  // inspected, so this reads a per-thread copy of the format, taken under the lock and valid while the
  // format's version is unchanged, instead of locking each time. `look` must not inspect another buffer.
  template <typename Look>
  auto inspect(Look&& look) const {
    return look(format_snapshot());
  }
  uint64_t physical_bytes() const;

  // Logical bytes [offset, offset + bytes). Row-major plain formats move only that range; converted
  // formats on the reference device convert only the tiles the range touches (a write re-encodes them);
  // on a backend holding TT-NN tensors a partial access moves the whole buffer.
  void read(uint64_t offset, uint64_t bytes, void* dst) const;
  void write(uint64_t offset, uint64_t bytes, const void* src);
  // A write of the whole buffer that may return before it is done (a non-blocking copy from pinned
  // memory on a backend with a transfer queue): `src` stays valid and unchanged while `keep_alive` lives.
  // False, with nothing written, where the write cannot be queued: the caller writes as usual then.
  bool write_all_async(const void* src, std::shared_ptr<void> keep_alive);
  void fill(uint64_t offset, uint64_t bytes, const void* pattern, uint64_t pattern_bytes);
  // Device-side copy of logical bytes between buffers (same or different device).
  static void copy(const DeviceBuffer& src, uint64_t src_offset, DeviceBuffer& dst, uint64_t dst_offset,
                   uint64_t bytes);

  // Names the element type without moving data; only valid while the layout is ROW_MAJOR and the
  // physical type equals the host type, where the bytes are identical.
  void set_element_type(runtime::DataType host_type, uint32_t raw_element_size, const runtime::Shape& shape);
  // Converts the contents to another physical format in place of the old block (all aliases see it).
  void relayout(const TensorDesc& desc);
  // Gives a buffer whose contents do not matter yet (a fresh op output) a physical format, without
  // converting anything: the block is replaced when the format needs another size.
  void format_uninitialized(TensorDesc desc);  // by value: a fresh output's descriptor moves in

  // The op layer's access to the physical bytes on a backend that holds device memory in this process
  // (the reference device): nullptr elsewhere. Whoever writes through it calls contents_changed().
  void* host_bytes() const;
  // The block itself, for a backend that keeps its own objects in it (the hardware backend's tensor).
  const Block& block() const { return block_; }
  void contents_changed();
  // Renewed by every change of contents, unique in the process: what a derived copy of the contents is
  // valid for.
  uint64_t generation() const;
  // The physical bytes are exactly the logical bytes torch sees (ROW_MAJOR, no format conversion).
  bool holds_logical_bytes() const;
  // The physical bytes hold plain `data_type` elements where a fresh buffer of `shape` in `layout` would
  // (padding included): elementwise math may then pair them one for one with such a buffer's.
  bool arranged_as(const runtime::Shape& shape, runtime::Layout layout, runtime::DataType data_type) const;

  // A host copy of the whole storage (logical bytes) for ops that run on the CPU, valid while the device
  // contents stay unchanged: parameters read by every forward cross to the host once, not once per op.
  // It is made on the second request at an unchanged content (so storages written between reads, like
  // activations or KV caches, never get one) and within a host budget (TTNN_DEVICE_HOST_MIRROR_MB,
  // default 4096; 0 turns mirrors off). `created` says this request read the device.
  struct HostMirror {
    std::shared_ptr<const uint8_t[]> bytes;
    bool created = false;
  };
  HostMirror host_mirror() const;

  // Values derived from this storage that hold device memory of their own (a batch norm's folded scale
  // and shift, a parameter cast to another data type), one per `tag` (what was derived). They live no
  // longer than the storage, so freeing a model frees them with it. Each value records what it was made
  // from (generations included); its reader checks that before using it.
  std::shared_ptr<void> derived(uint64_t tag) const;
  void keep_derived(uint64_t tag, std::shared_ptr<void> value);
  // The value kept under `tag` when `still_valid(value)`, else `make()`, kept in its place.
  template <class T, class StillValid, class Make>
  std::shared_ptr<T> derived_or_make(uint64_t tag, StillValid&& still_valid, Make&& make) {
    if (auto kept = std::static_pointer_cast<T>(derived(tag)); kept && still_valid(*kept)) return kept;
    auto made = std::make_shared<T>(make());
    keep_derived(tag, made);
    return made;
  }

 private:
  const TensorDesc& format_snapshot() const;  // this thread's copy of desc_ at its current version
  void set_format(TensorDesc desc);           // with mutex_ held: desc_ and a new format version
  static bool bytes_are_logical(const TensorDesc& desc);  // physical bytes == logical bytes
  bool bytes_are_logical() const { return bytes_are_logical(desc_); }
  bool byte_ranges() const;        // ... and the device addresses bytes: ranges move alone
  using Staging = std::unique_ptr<uint8_t[]>;
  Staging read_all_logical() const;
  // The reference device's bytes of a converted format, where ranges of elements convert alone; else null.
  uint8_t* converted_in_place() const;
  void read_elements(uint8_t* base, uint64_t offset, uint64_t bytes, void* dst) const;
  void write_elements(uint8_t* base, uint64_t offset, uint64_t bytes, const void* src);
  void decode_all_into(void* logical) const;
  void write_all_logical(const void* logical);
  void store_logical(const Block& block, const TensorDesc& desc, const void* logical) const;
  void changed();  // with mutex_ held: the contents differ from any host mirror

  int device_;
  uint64_t address_;
  uint64_t logical_bytes_;
  mutable std::mutex mutex_;
  Block block_;
  TensorDesc desc_;
  // Process-unique, renewed with every change of desc_ (set_format): a (buffer, version) pair names one
  // format for good, even after the buffer's address is reused.
  std::atomic<uint64_t> format_version_;
  uint64_t generation_;  // renewed by every change of contents
  mutable uint64_t last_mirror_request_ = UINT64_MAX;
  mutable std::shared_ptr<const uint8_t[]> mirror_;
  std::vector<std::pair<uint64_t, std::shared_ptr<void>>> derived_;  // see derived(); under mutex_
};

}  // namespace ttnn_device::core
