// Counts of data crossing host <-> device, by direction (docs/design.md invariant 5: transfers are measurable).
#pragma once

#include <cstdint>

namespace ttnn_device::core {

struct TransferCounts {
  uint64_t host_to_device_count = 0;
  uint64_t host_to_device_bytes = 0;
  uint64_t device_to_host_count = 0;
  uint64_t device_to_host_bytes = 0;
};

void count_host_to_device(uint64_t bytes);
void count_device_to_host(uint64_t bytes);
TransferCounts transfer_counts();
void reset_transfer_counts();

}  // namespace ttnn_device::core
