// The reference device: one TT chip modelled on the host. DRAM is host memory with the board's capacity
// enforced, so out-of-memory happens where it would on the card.
#pragma once

#include <atomic>
#include <mutex>

#include "runtime/device.h"

namespace ttnn_device::runtime {

class SimDevice final : public Device {
 public:
  SimDevice(int index, BoardProfile board);
  int index() const override { return index_; }
  const BoardProfile& board() const override { return board_; }
  std::string backend_name() const override { return "sim"; }

  Block allocate(uint64_t bytes) override;
  void free(Block block) override;
  uint64_t capacity() const override { return board_.dram_bytes; }
  uint64_t used() const override { return used_.load(); }

  void write(const Block& dst, uint64_t offset, const void* src, uint64_t bytes) override;
  void read(const Block& src, uint64_t offset, void* dst, uint64_t bytes) const override;
  void copy(const Block& src, uint64_t src_offset, const Block& dst, uint64_t dst_offset,
            uint64_t bytes) override;
  void fill(const Block& dst, uint64_t offset, uint64_t bytes, const void* pattern,
            uint64_t pattern_bytes) override;
  void synchronize() override {}
  void* host_address(const Block& block) const override { return block.handle; }

 private:
  int index_;
  BoardProfile board_;
  std::mutex mutex_;
  std::atomic<uint64_t> used_{0};
};

}  // namespace ttnn_device::runtime
