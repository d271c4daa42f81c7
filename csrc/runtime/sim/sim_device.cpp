#include "runtime/sim/sim_device.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include <sys/mman.h>

#include "runtime/repeat_pattern.h"

namespace ttnn_device::runtime {

namespace {
uint64_t round_up(uint64_t value, uint64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// Host memory for device blocks is cache-line aligned (format conversions write whole 64-byte lines of
// tile pages, and a misaligned block would split every one of them in two) and zero-filled. Large blocks
// are mapped pages, which cost the host nothing until touched, like unused DRAM.
constexpr uint64_t kHostAlignment = 64;
constexpr uint64_t kMappedBlockBytes = uint64_t{1} << 16;

void* allocate_host(uint64_t bytes) {
  if (bytes >= kMappedBlockBytes) {
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return memory == MAP_FAILED ? nullptr : memory;
  }
  void* memory = std::aligned_alloc(kHostAlignment, round_up(bytes, kHostAlignment));
  if (memory) std::memset(memory, 0, bytes);
  return memory;
}

void free_host(void* memory, uint64_t bytes) {
  if (bytes >= kMappedBlockBytes) {
    munmap(memory, bytes);
  } else {
    std::free(memory);
  }
}

void check_range(const Block& block, uint64_t offset, uint64_t bytes, const char* what) {
  if (offset > block.bytes || bytes > block.bytes - offset) {
    throw std::out_of_range(std::string("sim device ") + what + " of " + std::to_string(bytes) + " bytes at offset " +
                            std::to_string(offset) + " is outside a block of " + std::to_string(block.bytes) +
                            " bytes");
  }
}
}  // namespace

SimDevice::SimDevice(int index, BoardProfile board) : index_(index), board_(std::move(board)) {}

Block SimDevice::allocate(uint64_t bytes) {
  const uint64_t reserved = round_up(bytes == 0 ? 1 : bytes, board_.dram_alignment);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const uint64_t in_use = used_.load();
    if (reserved > board_.dram_bytes - in_use) {
      throw OutOfDeviceMemory(index_, bytes, board_.dram_bytes - in_use, board_.dram_bytes);
    }
    used_ += reserved;
  }
  void* memory = allocate_host(reserved);
  if (!memory) {
    used_ -= reserved;
    throw std::bad_alloc();
  }
  return Block{memory, reserved};
}

void SimDevice::free(Block block) {
  if (!block.handle) return;
  free_host(block.handle, block.bytes);
  used_ -= block.bytes;
}

void SimDevice::write(const Block& dst, uint64_t offset, const void* src, uint64_t bytes) {
  check_range(dst, offset, bytes, "write");
  if (bytes) std::memcpy(static_cast<char*>(dst.handle) + offset, src, bytes);
}

void SimDevice::read(const Block& src, uint64_t offset, void* dst, uint64_t bytes) const {
  check_range(src, offset, bytes, "read");
  if (bytes) std::memcpy(dst, static_cast<const char*>(src.handle) + offset, bytes);
}

void SimDevice::copy(const Block& src, uint64_t src_offset, const Block& dst, uint64_t dst_offset,
                     uint64_t bytes) {
  check_range(src, src_offset, bytes, "copy source");
  check_range(dst, dst_offset, bytes, "copy destination");
  if (bytes) std::memmove(static_cast<char*>(dst.handle) + dst_offset,
                          static_cast<const char*>(src.handle) + src_offset, bytes);
}

void SimDevice::fill(const Block& dst, uint64_t offset, uint64_t bytes, const void* pattern,
                     uint64_t pattern_bytes) {
  check_range(dst, offset, bytes, "fill");
  char* out = static_cast<char*>(dst.handle) + offset;
  repeat_pattern(out, bytes, pattern, pattern_bytes);
}

}  // namespace ttnn_device::runtime
