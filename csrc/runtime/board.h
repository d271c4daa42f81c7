// Board profiles: what a Tenstorrent card offers the host (chips, DRAM per chip, interleaving facts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ttnn_device::runtime {

struct BoardProfile {
  std::string name;           // "n150", "n300", "p150", ...
  std::string arch;           // "wormhole_b0" or "blackhole"
  int chips = 1;              // each chip is one torch device index
  uint64_t dram_bytes = 0;    // DRAM capacity per chip
  int dram_banks = 1;         // interleaving banks per chip
  uint32_t dram_alignment = 32;
};

// All boards we model, by name.
const std::vector<BoardProfile>& known_boards();
// The board named by TTNN_DEVICE_BOARD (default n150). TTNN_DEVICE_DRAM_MB, if set, overrides the DRAM
// capacity per chip (tests use it to reach out-of-memory quickly). Throws std::invalid_argument on an
// unknown board name, listing the known ones.
BoardProfile board_from_environment();

}  // namespace ttnn_device::runtime
