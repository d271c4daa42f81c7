#include "ops/sim/staging.h"

#include <ATen/EmptyTensor.h>
#include <cstdlib>
#include <new>

#include <cstring>
#include <mutex>
#include <unordered_map>

namespace ttnn_device::ops::sim {
namespace {

// Blocks are reused for requests of exactly their size (model shapes repeat); at most kBudget bytes stay
// cached, and a block beyond the budget goes back to the system.
class StagingAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t bytes) override {
    void* data = take(bytes);
    if (!data) data = std::aligned_alloc(kAlignment, (bytes + kAlignment) / kAlignment * kAlignment);
    if (!data) throw std::bad_alloc();
    return {data, new Block{this, data, bytes}, &release, c10::Device(c10::kCPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return nullptr; }
  void copy_data(void* dest, const void* src, size_t count) const override { std::memcpy(dest, src, count); }

 private:
  struct Block {
    StagingAllocator* owner;
    void* data;
    size_t bytes;
  };
  static constexpr size_t kBudget = size_t{512} << 20;
  static constexpr size_t kAlignment = 64;  // what torch's CPU allocator gives: vectorised kernels assume it

  static void release(void* context) {
    auto* block = static_cast<Block*>(context);
    block->owner->give_back(block->data, block->bytes);
    delete block;
  }

  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(bytes);
    if (it == free_.end()) return nullptr;
    void* data = it->second;
    free_.erase(it);
    cached_ -= bytes;
    return data;
  }

  void give_back(void* data, size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (cached_ + bytes <= kBudget) {
        free_.emplace(bytes, data);
        cached_ += bytes;
        return;
      }
    }
    std::free(data);
  }

  std::mutex mutex_;
  std::unordered_multimap<size_t, void*> free_;
  size_t cached_ = 0;
};

StagingAllocator& staging_allocator() {
  static auto* allocator = new StagingAllocator();  // never destroyed: tensors may outlive static teardown
  return *allocator;
}

}  // namespace

at::Tensor staging_empty(c10::IntArrayRef sizes, c10::ScalarType dtype) {
  return at::detail::empty_generic(sizes, &staging_allocator(), c10::DispatchKeySet(c10::DispatchKey::CPU), dtype,
                                   std::nullopt);
}

at::Tensor staging_empty_like(const at::Tensor& like) {
  return at::detail::empty_strided_generic(like.sizes(), like.strides(), &staging_allocator(),
                                           c10::DispatchKeySet(c10::DispatchKey::CPU), like.scalar_type());
}

}  // namespace ttnn_device::ops::sim
