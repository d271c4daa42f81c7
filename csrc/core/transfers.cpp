#include "core/transfers.h"

#include <atomic>

#include "core/profile_log.h"

namespace ttnn_device::core {
namespace {
std::atomic<uint64_t> h2d_count{0}, h2d_bytes{0}, d2h_count{0}, d2h_bytes{0};
}

void count_host_to_device(uint64_t bytes) {
  h2d_count++;
  h2d_bytes += bytes;
  profile_log::record_instant(profile_log::Kind::kHostToDevice, "", "", bytes);
}

void count_device_to_host(uint64_t bytes) {
  d2h_count++;
  d2h_bytes += bytes;
  profile_log::record_instant(profile_log::Kind::kDeviceToHost, "", "", bytes);
}

TransferCounts transfer_counts() { return {h2d_count.load(), h2d_bytes.load(), d2h_count.load(), d2h_bytes.load()}; }

void reset_transfer_counts() {
  h2d_count = 0;
  h2d_bytes = 0;
  d2h_count = 0;
  d2h_bytes = 0;
}

}  // namespace ttnn_device::core
