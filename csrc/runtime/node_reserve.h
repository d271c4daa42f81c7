// Spare nodes for a std::map or std::multimap that gains and loses an entry on every allocation (the
// allocator's address map, the block cache): reusing an extracted node keeps malloc and free off the
// per-op path. Not thread-safe; the owner's lock guards it with the map.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace ttnn_device::runtime {

template <class Map>
class NodeReserve {
 public:
  NodeReserve() { spare_.reserve(kKeep); }

  void insert(Map& map, const typename Map::key_type& key, const typename Map::mapped_type& value) {
    if (spare_.empty()) {
      map.emplace(key, value);
      return;
    }
    typename Map::node_type node = std::move(spare_.back());
    spare_.pop_back();
    node.key() = key;
    node.mapped() = value;
    map.insert(std::move(node));
  }

  void erase(Map& map, typename Map::iterator it) {
    if (spare_.size() < kKeep) {
      spare_.push_back(map.extract(it));
    } else {
      map.erase(it);
    }
  }

 private:
  // Enough for the tensors a few ops in flight create and free; beyond that nodes go back to malloc.
  static constexpr std::size_t kKeep = 64;
  std::vector<typename Map::node_type> spare_;
};

}  // namespace ttnn_device::runtime
