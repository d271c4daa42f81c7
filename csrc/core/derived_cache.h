// Values derived from a storage's contents (a weight cut to the bits the card's multiplier sees, a
// parameter converted to another data type), kept while the storage lives and its contents stay unchanged
// (DeviceBuffer::generation). Parameters are read by every forward, and deriving them anew each call
// would cost a pass over every weight per layer.
#pragma once

#include <c10/core/Storage.h>
#include <c10/util/intrusive_ptr.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/device_buffer.h"

namespace ttnn_device::core {

template <class Value>
class DerivedCache {
 public:
  // kFirstRequest keeps every derived value; kSecondRequest keeps one only when the same contents are
  // asked for again, so storages written between reads (activations, KV caches) never fill the cache.
  enum class Keep { kFirstRequest, kSecondRequest };
  explicit DerivedCache(Keep keep) : keep_(keep) {}

  // The value derived from `storage` (whose device buffer is `buffer`) under `tag` (what was derived) for
  // `shape`: the kept one when the contents are unchanged, else `make(kept)` (run without the lock held;
  // `kept` says whether the cache will keep what it returns, which then must not share memory that
  // is reused).
  template <class Make>
  Value get(const c10::Storage& storage, const DeviceBuffer& buffer, uint64_t tag, const std::vector<int64_t>& shape,
            Make&& make) {
    const Key key{storage.unsafeGetStorageImpl(), tag};
    const uint64_t generation = buffer.generation();
    bool asked_before = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end() && !it->second.storage.expired() && it->second.generation == generation &&
          it->second.shape == shape) {
        if (it->second.value) return *it->second.value;
        asked_before = true;
      }
    }
    const bool kept = keep_ == Keep::kFirstRequest || asked_before;
    Value value = make(kept);
    std::lock_guard<std::mutex> lock(mutex_);
    prune();
    Entry entry{c10::weak_intrusive_ptr<c10::StorageImpl>(
                    c10::intrusive_ptr<c10::StorageImpl>::reclaim_copy(storage.unsafeGetStorageImpl())),
                generation, shape, std::nullopt};
    if (kept) entry.value = value;
    entries_.insert_or_assign(key, std::move(entry));
    return value;
  }

 private:
  using Key = std::pair<const void*, uint64_t>;
  struct Entry {
    c10::weak_intrusive_ptr<c10::StorageImpl> storage;  // keeps the address from being reused while kept
    uint64_t generation;
    std::vector<int64_t> shape;
    std::optional<Value> value;  // empty: asked for once at this generation
  };

  // Entries of storages that died are dropped as the cache grows.
  void prune() {
    if (entries_.size() < prune_at_) return;
    for (auto it = entries_.begin(); it != entries_.end();) it = it->second.storage.expired() ? entries_.erase(it) : std::next(it);
    prune_at_ = std::max<size_t>(1024, 2 * entries_.size());
  }

  Keep keep_;
  std::mutex mutex_;
  std::map<Key, Entry> entries_;
  size_t prune_at_ = 1024;
};

}  // namespace ttnn_device::core
