#include "runtime/board.h"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

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
  const char* name_env = std::getenv("TTNN_DEVICE_BOARD");
  std::string name = (name_env && *name_env) ? name_env : "n150";
  const BoardProfile* found = nullptr;
  std::string names;
  for (const auto& board : known_boards()) {
    if (board.name == name) found = &board;
    names += (names.empty() ? "" : ", ") + board.name;
  }
  if (!found) {
    throw std::invalid_argument("TTNN_DEVICE_BOARD=" + name + " is not a known board; known boards: " + names);
  }
  BoardProfile board = *found;
  if (const char* mb = std::getenv("TTNN_DEVICE_DRAM_MB"); mb && *mb) {
    char* end = nullptr;
    unsigned long long value = std::strtoull(mb, &end, 10);
    // strtoull accepts "-5" (wrapping it); reject signs and values whose byte count would overflow.
    if (end == mb || *end != '\0' || value == 0 || mb[0] == '-' || mb[0] == '+' || value > (UINT64_MAX >> 20)) {
      throw std::invalid_argument(std::string("TTNN_DEVICE_DRAM_MB must be a positive integer, got '") + mb + "'");
    }
    board.dram_bytes = value << 20;
  }
  return board;
}

}  // namespace ttnn_device::runtime
