#include "core/pinned_host.h"

#include <sys/mman.h>

#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>
#include <new>

namespace ttnn_device::core {
namespace {

constexpr size_t kAlignment = 64;  // the format codecs read and write whole cache lines

struct Block {
  size_t bytes;
  bool locked;
};

struct Registry {
  std::mutex mutex;
  std::map<uintptr_t, Block> blocks;  // by start address, for the containment lookup
  PinnedHostStats stats;
};

Registry& registry() {
  static auto* r = new Registry();
  return *r;
}

void free_pinned(void* ptr) {
  if (!ptr) return;
  Registry& r = registry();
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.blocks.find(reinterpret_cast<uintptr_t>(ptr));
    if (it != r.blocks.end()) {
      if (it->second.locked) {
        munlock(ptr, it->second.bytes);
        r.stats.locked_bytes -= it->second.bytes;
      }
      r.stats.blocks--;
      r.stats.bytes -= it->second.bytes;
      r.blocks.erase(it);
    }
  }
  std::free(ptr);
}

struct PinnedHostAllocator final : public at::Allocator {
  at::DataPtr allocate(size_t bytes) override {
    void* ptr = nullptr;
    if (bytes > 0) {
      const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
      ptr = std::aligned_alloc(kAlignment, rounded);
      if (!ptr) throw std::bad_alloc();
      const bool locked = mlock(ptr, bytes) == 0;
      Registry& r = registry();
      std::lock_guard<std::mutex> lock(r.mutex);
      r.blocks[reinterpret_cast<uintptr_t>(ptr)] = {bytes, locked};
      r.stats.blocks++;
      r.stats.bytes += bytes;
      if (locked) r.stats.locked_bytes += bytes;
    }
    return {ptr, ptr, &free_pinned, at::Device(at::kCPU)};
  }
  at::DeleterFnPtr raw_deleter() const override { return &free_pinned; }
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
};

}  // namespace

at::Allocator* pinned_host_allocator() {
  static PinnedHostAllocator allocator;
  return &allocator;
}

bool is_pinned_host(const void* ptr) {
  Registry& r = registry();
  const auto address = reinterpret_cast<uintptr_t>(ptr);
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.blocks.upper_bound(address);
  if (it == r.blocks.begin()) return false;
  --it;
  return address < it->first + it->second.bytes;
}

PinnedHostStats pinned_host_stats() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.stats;
}

}  // namespace ttnn_device::core
