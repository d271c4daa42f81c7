#include "core/device_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/block_pool.h"
#include "runtime/config.h"
#include "runtime/repeat_pattern.h"

namespace ttnn_device::core {

using runtime::DataType;
using runtime::DeviceRegistry;
using runtime::Layout;

namespace {
runtime::Device& device_at(int index) { return DeviceRegistry::instance().device(index); }

TensorDesc raw_desc(uint64_t logical_bytes) {
  TensorDesc desc;
  desc.shape = {static_cast<int64_t>(logical_bytes)};
  desc.layout = Layout::ROW_MAJOR;
  desc.data_type = DataType::RAW;
  desc.host_type = DataType::RAW;
  desc.raw_element_size = 1;
  return desc;
}

void check_range(uint64_t offset, uint64_t bytes, uint64_t size, const char* what) {
  if (offset > size || bytes > size - offset) {
    throw std::out_of_range(std::string("ttnn storage ") + what + " of " + std::to_string(bytes) +
                            " bytes at byte offset " + std::to_string(offset) + " is outside a storage of " +
                            std::to_string(size) + " bytes");
  }
}
}  // namespace

namespace {
// Generations are drawn from one process-wide sequence: a (storage, generation) pair then names one state of
// contents even where a storage has taken another storage's buffer (an out= result handed over).
std::atomic<uint64_t> generations{0};
uint64_t next_generation() { return generations.fetch_add(1, std::memory_order_relaxed) + 1; }
}  // namespace

DeviceBuffer::DeviceBuffer(int device, uint64_t address, uint64_t logical_bytes, Block block)
    : DeviceBuffer(device, address, logical_bytes, block, raw_desc(logical_bytes)) {}

DeviceBuffer::DeviceBuffer(int device, uint64_t address, uint64_t logical_bytes, Block block, TensorDesc desc)
    : device_(device),
      address_(address),
      logical_bytes_(logical_bytes),
      block_(block),
      desc_(std::move(desc)),
      format_version_(next_generation()),
      generation_(next_generation()) {}

void DeviceBuffer::set_format(TensorDesc desc) {
  desc_ = std::move(desc);
  format_version_.store(next_generation(), std::memory_order_release);
}

const TensorDesc& DeviceBuffer::format_snapshot() const {
  struct Snapshot {
    const DeviceBuffer* buffer = nullptr;
    uint64_t version = 0;
    TensorDesc desc;
  };
  // A few entries, so an op's operands and output (buffers a few hundred bytes apart in the heap) seldom
  // evict each other: the address is hashed (Fibonacci hashing) into one of eight.
  thread_local std::array<Snapshot, 8> snapshots;
  const uint64_t hash = (static_cast<uint64_t>(reinterpret_cast<uintptr_t>(this)) >> 4) * 0x9E3779B97F4A7C15ull;
  Snapshot& s = snapshots[hash >> 61];
  if (s.buffer != this || s.version != format_version_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(mutex_);
    s.desc = desc_;
    s.version = format_version_.load(std::memory_order_relaxed);
    s.buffer = this;
  }
  return s.desc;
}

DeviceBuffer::~DeviceBuffer() { release_block(device_, block_); }

TensorDesc DeviceBuffer::desc() const { return format_snapshot(); }

uint64_t DeviceBuffer::physical_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return desc_.physical_bytes();
}

bool DeviceBuffer::bytes_are_logical(const TensorDesc& desc) {
  return desc.layout == Layout::ROW_MAJOR && desc.data_type == desc.host_type;
}

// Byte ranges move on their own only where the device's memory is addressable bytes; a backend holding
// TT-NN tensors moves whole buffers.
bool DeviceBuffer::byte_ranges() const { return bytes_are_logical() && !device_at(device_).holds_tensors(); }

// Host staging is left uninitialised: encode writes every physical byte (padding included) and decode
// every logical byte, and zeroing large staging buffers would cost as much as the conversion.
DeviceBuffer::Staging DeviceBuffer::read_all_logical() const {
  Staging logical(new uint8_t[logical_bytes_]);
  decode_all_into(logical.get());
  return logical;
}

// A backend whose DRAM is in this process (the reference device) is decoded from and encoded into in
// place: staging the physical bytes would add a copy of the whole buffer to every conversion.
void DeviceBuffer::decode_all_into(void* logical) const {
  runtime::Device& device = device_at(device_);
  if (device.holds_tensors()) {
    device.download(block_, desc_, logical);
    return;
  }
  if (const void* in_place = device.host_address(block_)) {
    runtime::decode(desc_, in_place, logical);
    return;
  }
  const uint64_t bytes = desc_.physical_bytes();
  Staging physical(new uint8_t[bytes]);
  device.read(block_, 0, physical.get(), bytes);
  runtime::decode(desc_, physical.get(), logical);
}

void DeviceBuffer::write_all_logical(const void* logical) { store_logical(block_, desc_, logical); }

void DeviceBuffer::store_logical(const Block& block, const TensorDesc& desc, const void* logical) const {
  runtime::Device& device = device_at(device_);
  if (device.holds_tensors()) {
    device.upload(block, desc, logical);
    return;
  }
  if (void* in_place = device.host_address(block)) {
    runtime::encode(desc, logical, in_place);
    return;
  }
  const uint64_t bytes = desc.physical_bytes();
  Staging physical(new uint8_t[bytes]);
  runtime::encode(desc, logical, physical.get());
  device.write(block, 0, physical.get(), bytes);
}

uint8_t* DeviceBuffer::converted_in_place() const {
  if (bytes_are_logical() || desc_.data_type == DataType::RAW) return nullptr;
  runtime::Device& device = device_at(device_);
  return device.holds_tensors() ? nullptr : static_cast<uint8_t*>(device.host_address(block_));
}

// Byte ranges are widened to whole elements: torch moves whole elements in practice, but a byte-level
// request stays correct.
void DeviceBuffer::read_elements(uint8_t* base, uint64_t offset, uint64_t bytes, void* dst) const {
  const uint64_t es = desc_.host_element_size();
  const uint64_t first = offset / es, end = (offset + bytes + es - 1) / es;
  if (offset % es == 0 && bytes % es == 0) {
    runtime::decode_range(desc_, base, static_cast<int64_t>(first), static_cast<int64_t>(end - first), dst);
    return;
  }
  Staging elements(new uint8_t[(end - first) * es]);
  runtime::decode_range(desc_, base, static_cast<int64_t>(first), static_cast<int64_t>(end - first), elements.get());
  std::memcpy(dst, elements.get() + offset % es, bytes);
}

void DeviceBuffer::write_elements(uint8_t* base, uint64_t offset, uint64_t bytes, const void* src) {
  const uint64_t es = desc_.host_element_size();
  const uint64_t first = offset / es, end = (offset + bytes + es - 1) / es;
  if (offset % es == 0 && bytes % es == 0) {
    runtime::encode_range(desc_, base, static_cast<int64_t>(first), static_cast<int64_t>(end - first), src);
    return;
  }
  Staging elements(new uint8_t[(end - first) * es]);
  runtime::decode_range(desc_, base, static_cast<int64_t>(first), static_cast<int64_t>(end - first), elements.get());
  std::memcpy(elements.get() + offset % es, src, bytes);
  runtime::encode_range(desc_, base, static_cast<int64_t>(first), static_cast<int64_t>(end - first), elements.get());
}

void DeviceBuffer::read(uint64_t offset, uint64_t bytes, void* dst) const {
  std::lock_guard<std::mutex> lock(mutex_);
  check_range(offset, bytes, logical_bytes_, "read");
  if (bytes == 0) return;
  if (byte_ranges()) {
    device_at(device_).read(block_, offset, dst, bytes);
    return;
  }
  if (offset == 0 && bytes == logical_bytes_) {
    decode_all_into(dst);
    return;
  }
  if (uint8_t* base = converted_in_place()) {
    read_elements(base, offset, bytes, dst);
    return;
  }
  auto logical = read_all_logical();
  std::memcpy(dst, logical.get() + offset, bytes);
}

void DeviceBuffer::write(uint64_t offset, uint64_t bytes, const void* src) {
  std::lock_guard<std::mutex> lock(mutex_);
  check_range(offset, bytes, logical_bytes_, "write");
  if (bytes == 0) return;
  changed();
  if (byte_ranges()) {
    device_at(device_).write(block_, offset, src, bytes);
    return;
  }
  if (offset == 0 && bytes == logical_bytes_) {
    write_all_logical(src);
    return;
  }
  if (uint8_t* base = converted_in_place()) {
    write_elements(base, offset, bytes, src);
    return;
  }
  auto logical = read_all_logical();
  std::memcpy(logical.get() + offset, src, bytes);
  write_all_logical(logical.get());
}

bool DeviceBuffer::write_all_async(const void* src, std::shared_ptr<void> keep_alive) {
  std::lock_guard<std::mutex> lock(mutex_);
  runtime::Device& device = device_at(device_);
  // Only a backend whose memory holds TT-NN tensors has a queue to run uploads on.
  if (logical_bytes_ == 0 || !device.holds_tensors()) return false;
  changed();
  device.upload_async(block_, desc_, src, std::move(keep_alive));
  return true;
}

void DeviceBuffer::fill(uint64_t offset, uint64_t bytes, const void* pattern, uint64_t pattern_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  check_range(offset, bytes, logical_bytes_, "fill");
  if (bytes == 0) return;
  changed();
  if (byte_ranges()) {
    device_at(device_).fill(block_, offset, bytes, pattern, pattern_bytes);
    return;
  }
  if (uint8_t* base = converted_in_place(); base && bytes < logical_bytes_) {
    Staging filled(new uint8_t[bytes]);
    runtime::repeat_pattern(filled.get(), bytes, pattern, pattern_bytes);
    write_elements(base, offset, bytes, filled.get());
    return;
  }
  // A fill of the whole buffer needs none of its old contents.
  Staging logical = bytes == logical_bytes_ ? Staging(new uint8_t[logical_bytes_]) : read_all_logical();
  runtime::repeat_pattern(logical.get() + offset, bytes, pattern, pattern_bytes);
  write_all_logical(logical.get());
}

void DeviceBuffer::copy(const DeviceBuffer& src, uint64_t src_offset, DeviceBuffer& dst, uint64_t dst_offset,
                        uint64_t bytes) {
  if (bytes == 0) return;
  if (&src == &dst) {
    std::lock_guard<std::mutex> lock(dst.mutex_);
    check_range(src_offset, bytes, src.logical_bytes_, "copy source");
    check_range(dst_offset, bytes, dst.logical_bytes_, "copy destination");
    dst.changed();
    if (dst.byte_ranges()) {
      device_at(dst.device_).copy(dst.block_, src_offset, dst.block_, dst_offset, bytes);
      return;
    }
    if (uint8_t* base = dst.converted_in_place()) {
      Staging moved(new uint8_t[bytes]);
      dst.read_elements(base, src_offset, bytes, moved.get());
      dst.write_elements(base, dst_offset, bytes, moved.get());
      return;
    }
    auto logical = dst.read_all_logical();
    std::memmove(logical.get() + dst_offset, logical.get() + src_offset, bytes);
    dst.write_all_logical(logical.get());
    return;
  }
  {
    std::scoped_lock lock(src.mutex_, dst.mutex_);
    if (src.device_ == dst.device_ && src.byte_ranges() && dst.byte_ranges()) {
      check_range(src_offset, bytes, src.logical_bytes_, "copy source");
      check_range(dst_offset, bytes, dst.logical_bytes_, "copy destination");
      dst.changed();
      device_at(dst.device_).copy(src.block_, src_offset, dst.block_, dst_offset, bytes);
      return;
    }
  }
  // Across devices or formats: stage through the host (a card-to-card copy crosses PCIe anyway).
  Staging staged(new uint8_t[bytes]);
  src.read(src_offset, bytes, staged.get());
  dst.write(dst_offset, bytes, staged.get());
}

void DeviceBuffer::set_element_type(DataType host_type, uint32_t raw_element_size, const runtime::Shape& shape) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!bytes_are_logical()) return;  // already typed in a converted format: keep it
  TensorDesc desc;
  desc.shape = shape;
  desc.layout = Layout::ROW_MAJOR;
  desc.data_type = host_type;
  desc.host_type = host_type;
  desc.raw_element_size = raw_element_size;
  if (desc.logical_bytes() != logical_bytes_) return;  // the shape does not describe the whole storage
  device_at(device_).reinterpret(block_, desc_, desc);
  set_format(std::move(desc));
}

void DeviceBuffer::relayout(const TensorDesc& desc) {
  desc.validate();
  std::lock_guard<std::mutex> lock(mutex_);
  if (desc.logical_bytes() != logical_bytes_) {
    throw std::invalid_argument("a physical format for " + std::to_string(desc.logical_bytes()) +
                                " logical bytes cannot hold this storage of " + std::to_string(logical_bytes_) +
                                " bytes");
  }
  auto logical = read_all_logical();
  // Allocate the new block before releasing the old one, so an out-of-memory leaves the buffer intact.
  Block fresh = acquire_block(device_, desc.physical_bytes());
  try {
    store_logical(fresh, desc, logical.get());
  } catch (...) {
    release_block(device_, fresh);
    throw;
  }
  release_block(device_, block_);
  block_ = fresh;
  set_format(desc);
  changed();
}

void DeviceBuffer::format_uninitialized(TensorDesc desc) {
  desc.validate();
  std::lock_guard<std::mutex> lock(mutex_);
  if (desc.logical_bytes() != logical_bytes_) {
    throw std::invalid_argument("a physical format for " + std::to_string(desc.logical_bytes()) +
                                " logical bytes cannot describe this storage of " + std::to_string(logical_bytes_) +
                                " bytes");
  }
  if (desc.physical_bytes() != desc_.physical_bytes()) {
    Block fresh = acquire_block(device_, desc.physical_bytes());
    release_block(device_, block_);
    block_ = fresh;
  } else {
    device_at(device_).discard_contents(block_);  // a tensor held there has the old format
  }
  set_format(std::move(desc));
  changed();
}

void* DeviceBuffer::host_bytes() const { return device_at(device_).host_address(block_); }

void DeviceBuffer::contents_changed() {
  std::lock_guard<std::mutex> lock(mutex_);
  changed();
}

std::shared_ptr<void> DeviceBuffer::derived(uint64_t tag) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [kept_tag, value] : derived_) {
    if (kept_tag == tag) return value;
  }
  return nullptr;
}

void DeviceBuffer::keep_derived(uint64_t tag, std::shared_ptr<void> value) {
  std::shared_ptr<void> replaced;  // released after the lock: it may free device memory
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [kept_tag, kept] : derived_) {
    if (kept_tag == tag) {
      replaced = std::exchange(kept, std::move(value));
      return;
    }
  }
  derived_.emplace_back(tag, std::move(value));
}

uint64_t DeviceBuffer::generation() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return generation_;
}

bool DeviceBuffer::holds_logical_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_are_logical();
}

bool DeviceBuffer::arranged_as(const runtime::Shape& shape, Layout layout, DataType data_type) const {
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  const TensorDesc& desc = format_snapshot();
  if (layout == Layout::ROW_MAJOR) {
    // Plain row-major bytes are the elements in order, whatever shape they were stored under.
    return bytes_are_logical(desc) && logical_bytes_ == static_cast<uint64_t>(numel) * runtime::element_size(data_type) &&
           (desc.data_type == data_type || desc.data_type == DataType::RAW);
  }
  if (desc.layout != Layout::TILE || desc.data_type != data_type || desc.host_type != data_type ||
      desc.numel() != numel) {
    return false;
  }
  // Tiles follow the last two dims; the outer dims only count tiles, so their factoring does not matter.
  auto dim = [](const runtime::Shape& s, size_t from_end) {
    return s.size() > from_end ? s[s.size() - 1 - from_end] : int64_t{1};
  };
  return dim(desc.shape, 0) == dim(shape, 0) && dim(desc.shape, 1) == dim(shape, 1);
}

void DeviceBuffer::changed() {
  generation_ = next_generation();
  mirror_.reset();
}

namespace {

// Host bytes held by mirrors, against the budget.
std::atomic<uint64_t> mirrored_bytes{0};

uint64_t mirror_budget() {
  static const uint64_t budget = [] {
    return runtime::config::megabytes("TTNN_DEVICE_HOST_MIRROR_MB", uint64_t{4096} << 20, /*allow_zero=*/true);
  }();
  return budget;
}

bool reserve_mirror(uint64_t bytes) {
  uint64_t current = mirrored_bytes.load();
  do {
    if (current + bytes > mirror_budget()) return false;
  } while (!mirrored_bytes.compare_exchange_weak(current, current + bytes));
  return true;
}

// TTNN_DEVICE_CHECK_HOST_MIRRORS=1 (the test suite sets it): mirrors live in pages mapped without write
// permission, so a CPU kernel that writes what its schema says it only reads faults at once instead of
// corrupting the cache every later read would see.
bool read_only_mirrors() {
  static const bool on = [] {
    return runtime::config::choice("TTNN_DEVICE_CHECK_HOST_MIRRORS", {"0", "1"}, "0") == "1";
  }();
  return on;
}

std::shared_ptr<const uint8_t[]> read_only_copy(const uint8_t* data, uint64_t bytes) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t mapped = (bytes + page - 1) / page * page;
  void* region = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) throw std::bad_alloc();
  std::memcpy(region, data, bytes);
  mprotect(region, mapped, PROT_READ);
  return std::shared_ptr<const uint8_t[]>(static_cast<const uint8_t*>(region), [bytes, mapped](const uint8_t* p) {
    munmap(const_cast<uint8_t*>(p), mapped);
    mirrored_bytes -= bytes;
  });
}

}  // namespace

DeviceBuffer::HostMirror DeviceBuffer::host_mirror() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (mirror_) return {mirror_, false};
  if (last_mirror_request_ != generation_) {
    last_mirror_request_ = generation_;
    return {};
  }
  if (logical_bytes_ == 0 || !reserve_mirror(logical_bytes_)) return {};
  const uint64_t bytes = logical_bytes_;
  Staging logical = read_all_logical();
  if (read_only_mirrors()) {
    mirror_ = read_only_copy(logical.get(), bytes);
    return {mirror_, true};
  }
  mirror_ = std::shared_ptr<const uint8_t[]>(logical.release(), [bytes](const uint8_t* p) {
    delete[] p;
    mirrored_bytes -= bytes;
  });
  return {mirror_, true};
}

}  // namespace ttnn_device::core
