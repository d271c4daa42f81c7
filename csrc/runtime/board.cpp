#include "runtime/board.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "runtime/config.h"

namespace ttnn_device::runtime {

namespace {
constexpr uint64_t kGiB = 1ull << 30;
}

// Capacities and bank counts from Tenstorrent's published board specifications and the SoC descriptors
// tt-metal ships for wormhole_b0 and blackhole: chips per board, DRAM per chip, its interleaving banks and
// the DRAM address alignment.
const std::vector<BoardProfile>& known_boards() {
  static const std::vector<BoardProfile> boards = {
      {"n150", "wormhole_b0", 1, 12 * kGiB, 12, 32},
      {"n300", "wormhole_b0", 2, 12 * kGiB, 12, 32},
      {"p100", "blackhole", 1, 28 * kGiB, 7, 64},
      {"p150", "blackhole", 1, 32 * kGiB, 8, 64},
  };
  return boards;
}

BoardProfile board_from_environment() {
  std::vector<std::string> names;
  for (const auto& board : known_boards()) names.push_back(board.name);
  const std::string name = config::choice("TTNN_DEVICE_BOARD", names, "n150");
  BoardProfile board = *std::find_if(known_boards().begin(), known_boards().end(),
                                     [&](const BoardProfile& b) { return b.name == name; });
  // The board's own capacity unless TTNN_DEVICE_DRAM_MB shrinks (or grows) it.
  board.dram_bytes = config::megabytes("TTNN_DEVICE_DRAM_MB", board.dram_bytes, /*allow_zero=*/false);
  return board;
}

}  // namespace ttnn_device::runtime
