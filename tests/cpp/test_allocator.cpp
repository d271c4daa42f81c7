// Device memory without torch: board profiles, the reference device's DRAM accounting and data movement,
// and the caching policy of runtime::BlockCache (reuse, best fit, rounding, statistics, out-of-memory
// retry, thread safety). Expected values follow from the spec: board capacities and DRAM alignments
// (n150/n300 12 GiB at 32 B, p150 32 GiB at 64 B), requests rounded to 512 B below 1 MiB and to 128 KiB
// from 1 MiB on, a cached block reused when it wastes at most an eighth of the rounded request.

#include <atomic>
#include <map>
#include <random>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "runtime/block_cache.h"
#include "runtime/board.h"
#include "runtime/node_reserve.h"
#include "runtime/device.h"
#include "runtime/repeat_pattern.h"
#include "runtime/sim/sim_device.h"

using namespace ttnn_device::runtime;

namespace {

constexpr uint64_t KiB = 1ull << 10;
constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t GiB = 1ull << 30;

// Sets (or, with nullptr, unsets) an environment variable for the lifetime of the guard.
class EnvGuard {
 public:
  EnvGuard(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~EnvGuard() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

BoardProfile small_board(uint64_t dram_bytes, uint32_t alignment = 32) {
  BoardProfile board;
  board.name = "test";
  board.arch = "wormhole_b0";
  board.chips = 1;
  board.dram_bytes = dram_bytes;
  board.dram_banks = 12;
  board.dram_alignment = alignment;
  return board;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const BoardProfile* find_board(const std::string& name) {
  for (const auto& board : known_boards()) {
    if (board.name == name) return &board;
  }
  return nullptr;
}

std::vector<uint8_t> read_block(Device& dev, const Block& block, uint64_t offset, uint64_t bytes) {
  std::vector<uint8_t> out(bytes);
  dev.read(block, offset, out.data(), bytes);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Board profiles

TEST(known_boards_match_specifications) {
  const BoardProfile* n150 = find_board("n150");
  const BoardProfile* n300 = find_board("n300");
  const BoardProfile* p150 = find_board("p150");
  CHECK(n150 && n300 && p150);
  if (!(n150 && n300 && p150)) return;
  CHECK_EQ(n150->arch, std::string("wormhole_b0"));
  CHECK_EQ(n150->chips, 1);
  CHECK_EQ(n150->dram_bytes, 12 * GiB);
  CHECK_EQ(n150->dram_alignment, 32u);
  CHECK_EQ(n300->arch, std::string("wormhole_b0"));
  CHECK_EQ(n300->chips, 2);
  CHECK_EQ(n300->dram_bytes, 12 * GiB);
  CHECK_EQ(p150->arch, std::string("blackhole"));
  CHECK_EQ(p150->chips, 1);
  CHECK_EQ(p150->dram_bytes, 32 * GiB);
  CHECK_EQ(p150->dram_alignment, 64u);
}

TEST(board_from_environment_default_and_selection) {
  EnvGuard no_mb("TTNN_DEVICE_DRAM_MB", nullptr);
  {
    EnvGuard board("TTNN_DEVICE_BOARD", nullptr);
    const BoardProfile b = board_from_environment();
    CHECK_EQ(b.name, std::string("n150"));
    CHECK_EQ(b.dram_bytes, 12 * GiB);
  }
  {
    EnvGuard board("TTNN_DEVICE_BOARD", "n300");
    const BoardProfile b = board_from_environment();
    CHECK_EQ(b.name, std::string("n300"));
    CHECK_EQ(b.chips, 2);
    CHECK_EQ(b.dram_bytes, 12 * GiB);
  }
  {
    EnvGuard board("TTNN_DEVICE_BOARD", "p150");
    const BoardProfile b = board_from_environment();
    CHECK_EQ(b.chips, 1);
    CHECK_EQ(b.dram_bytes, 32 * GiB);
    CHECK_EQ(b.dram_alignment, 64u);
  }
}

TEST(unknown_board_lists_known_ones) {
  EnvGuard board("TTNN_DEVICE_BOARD", "n999");
  std::string message;
  try {
    board_from_environment();
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  CHECK(contains(message, "n999"));
  CHECK(contains(message, "n150"));
  CHECK(contains(message, "n300"));
  CHECK(contains(message, "p150"));
}

TEST(dram_mb_overrides_capacity) {
  {
    EnvGuard board("TTNN_DEVICE_BOARD", "p150");
    EnvGuard mb("TTNN_DEVICE_DRAM_MB", "16");
    const BoardProfile b = board_from_environment();
    CHECK_EQ(b.name, std::string("p150"));
    CHECK_EQ(b.dram_bytes, 16 * MiB);
    CHECK_EQ(b.dram_alignment, 64u);  // only the capacity changes
  }
  for (const char* bad : {"0", "abc", "12x"}) {
    EnvGuard board("TTNN_DEVICE_BOARD", nullptr);
    EnvGuard mb("TTNN_DEVICE_DRAM_MB", bad);
    CHECK_THROWS(std::invalid_argument, board_from_environment());
  }
}

TEST(registry_builds_one_device_per_chip) {
  // The registry is created once per process: this is the only test that touches it.
  EnvGuard board("TTNN_DEVICE_BOARD", "n300");
  EnvGuard mb("TTNN_DEVICE_DRAM_MB", "16");
  EnvGuard backend("TTNN_DEVICE_BACKEND", nullptr);
  auto& registry = DeviceRegistry::instance();
  // First use races from four threads (the lock-free fast path against the initialiser, which
  // ThreadSanitizer checks in scripts/sanitize.sh); each then allocates, writes, reads back and frees on
  // both chips at once: every thread must see the same two devices and its own bytes.
  constexpr int kThreads = 4;
  std::atomic<int> errors{0};
  std::vector<Device*> seen(kThreads * 2, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      if (registry.count() != 2) errors++;
      for (int chip = 0; chip < 2; ++chip) {
        Device& dev = registry.device(chip);
        seen[t * 2 + chip] = &dev;
        for (int i = 0; i < 50; ++i) {
          Block block = dev.allocate(4096);
          const uint8_t tag = static_cast<uint8_t>(t * 16 + i);
          dev.fill(block, 0, 4096, &tag, 1);
          if (read_block(dev, block, 0, 4096) != std::vector<uint8_t>(4096, tag)) errors++;
          dev.free(block);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK_EQ(errors.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    CHECK(seen[t * 2] == &registry.device(0));
    CHECK(seen[t * 2 + 1] == &registry.device(1));
  }
  CHECK_EQ(registry.device(0).used(), 0u);
  CHECK_EQ(registry.device(1).used(), 0u);
  CHECK_EQ(registry.count(), 2);
  CHECK_EQ(registry.board().name, std::string("n300"));
  CHECK_EQ(registry.device(0).index(), 0);
  CHECK_EQ(registry.device(1).index(), 1);
  CHECK_EQ(registry.device(1).capacity(), 16 * MiB);
  CHECK_EQ(registry.device(1).backend_name(), std::string("sim"));
  CHECK_THROWS(std::out_of_range, registry.device(2));
  CHECK_THROWS(std::out_of_range, registry.device(-1));
}

// ---------------------------------------------------------------------------------------------------------
// The reference device

TEST(sim_capacity_accounting_with_alignment) {
  SimDevice dev(0, small_board(1 * MiB, 32));
  CHECK_EQ(dev.capacity(), 1 * MiB);
  CHECK_EQ(dev.used(), 0u);
  Block a = dev.allocate(1);
  CHECK(a.handle != nullptr);
  CHECK_EQ(a.bytes, 32u);
  CHECK_EQ(dev.used(), 32u);
  Block b = dev.allocate(33);
  CHECK_EQ(b.bytes, 64u);
  Block c = dev.allocate(64);
  CHECK_EQ(c.bytes, 64u);
  Block z = dev.allocate(0);  // a zero-byte request still reserves one aligned unit
  CHECK(z.handle != nullptr);
  CHECK_EQ(z.bytes, 32u);
  CHECK_EQ(dev.used(), 32u + 64u + 64u + 32u);
  dev.free(b);
  CHECK_EQ(dev.used(), 32u + 64u + 32u);
  dev.free(a);
  dev.free(c);
  dev.free(z);
  CHECK_EQ(dev.used(), 0u);
  dev.free(Block{});  // a null block is ignored
  CHECK_EQ(dev.used(), 0u);

  SimDevice blackhole(0, small_board(1 * MiB, 64));
  Block d = blackhole.allocate(65);
  CHECK_EQ(d.bytes, 128u);
  CHECK_EQ(blackhole.used(), 128u);
  blackhole.free(d);
  CHECK_EQ(blackhole.used(), 0u);
}

TEST(sim_out_of_memory_fields_and_message) {
  SimDevice dev(1, small_board(4096, 32));
  Block a = dev.allocate(4000);  // 4000 = 125 * 32
  CHECK_EQ(a.bytes, 4000u);
  bool thrown = false;
  try {
    dev.allocate(100);  // reserves 128 > 96 free
  } catch (const OutOfDeviceMemory& e) {
    thrown = true;
    CHECK_EQ(e.device, 1);
    CHECK_EQ(e.requested, 100u);
    CHECK_EQ(e.free_bytes, 96u);
    CHECK_EQ(e.capacity, 4096u);
    const std::string what = e.what();
    CHECK(contains(what, "ttnn:1"));
    CHECK(contains(what, "100 bytes"));
    CHECK(contains(what, "96"));
    CHECK(contains(what, "4096"));
  }
  CHECK(thrown);
  CHECK_EQ(dev.used(), 4000u);  // the failed request reserved nothing
  Block exact = dev.allocate(96);  // exactly the rest fits
  CHECK_EQ(dev.used(), 4096u);
  CHECK_THROWS(OutOfDeviceMemory, dev.allocate(1));
  dev.free(exact);
  dev.free(a);
  CHECK_EQ(dev.used(), 0u);
  Block whole = dev.allocate(4096);  // freeing restores the whole capacity
  CHECK_EQ(whole.bytes, 4096u);
  dev.free(whole);
  CHECK_THROWS(OutOfDeviceMemory, dev.allocate(4097));
  CHECK_EQ(dev.used(), 0u);
}

// The doubling fill against the element-by-element definition, for element sizes 1..16 and lengths that
// end mid-element.
TEST(repeat_pattern_matches_elementwise_fill) {
  for (uint64_t size = 1; size <= 16; ++size) {
    std::vector<uint8_t> pattern(size);
    for (uint64_t i = 0; i < size; ++i) pattern[i] = static_cast<uint8_t>(0x30 + 7 * i);
    for (uint64_t bytes : {uint64_t{0}, size - 1, size, 3 * size + 1, uint64_t{1000}, uint64_t{4097}}) {
      std::vector<uint8_t> got(bytes + 1, 0xEE), want(bytes + 1, 0xEE);
      for (uint64_t i = 0; i < bytes; ++i) want[i] = pattern[i % size];
      ttnn_device::runtime::repeat_pattern(got.data(), bytes, pattern.data(), size);
      CHECK(got == want);  // the byte after the range stays untouched
    }
  }
}

TEST(sim_read_write_copy_fill) {
  SimDevice dev(0, small_board(1 * MiB, 32));
  Block a = dev.allocate(64);
  Block b = dev.allocate(64);
  std::vector<uint8_t> data(16);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i + 1);
  dev.write(a, 8, data.data(), data.size());
  CHECK(read_block(dev, a, 8, 16) == data);

  dev.copy(a, 8, b, 40, 16);
  CHECK(read_block(dev, b, 40, 16) == data);

  // Overlapping copy inside one block behaves like memmove.
  dev.copy(a, 8, a, 10, 16);
  std::vector<uint8_t> shifted = read_block(dev, a, 10, 16);
  CHECK(shifted == data);
  CHECK(read_block(dev, a, 8, 2) == (std::vector<uint8_t>{1, 2}));

  const uint8_t pattern[3] = {0xA, 0xB, 0xC};
  dev.fill(b, 0, 8, pattern, 3);
  CHECK(read_block(dev, b, 0, 8) == (std::vector<uint8_t>{0xA, 0xB, 0xC, 0xA, 0xB, 0xC, 0xA, 0xB}));
  CHECK(read_block(dev, b, 40, 16) == data);  // outside the filled range: unchanged
  const uint8_t one = 0x5E;
  dev.fill(b, 60, 4, &one, 1);
  CHECK(read_block(dev, b, 60, 4) == (std::vector<uint8_t>{0x5E, 0x5E, 0x5E, 0x5E}));
  const uint32_t word = 0xDEADBEEF;
  dev.fill(a, 32, 32, &word, 4);
  std::vector<uint32_t> words(8);
  dev.read(a, 32, words.data(), 32);
  for (uint32_t w : words) CHECK_EQ(w, 0xDEADBEEFu);

  // Bounds: the block holds a.bytes = 64 bytes.
  uint8_t buf[128] = {};
  CHECK_THROWS(std::out_of_range, dev.write(a, 60, buf, 5));
  CHECK_THROWS(std::out_of_range, dev.read(a, 0, buf, 65));
  CHECK_THROWS(std::out_of_range, dev.read(a, 65, buf, 0));
  CHECK_THROWS(std::out_of_range, dev.read(a, 1, buf, UINT64_MAX));  // no wrap-around
  CHECK_THROWS(std::out_of_range, dev.copy(a, 0, b, 1, 64));
  CHECK_THROWS(std::out_of_range, dev.copy(a, 1, b, 0, 64));
  CHECK_THROWS(std::out_of_range, dev.fill(b, 63, 2, &one, 1));
  dev.read(a, 64, buf, 0);  // an empty range at the end is fine
  dev.write(a, 0, buf, 64);  // and the whole block is
  CHECK(read_block(dev, a, 0, 64) == std::vector<uint8_t>(64, 0));
  dev.free(a);
  dev.free(b);
}

// ---------------------------------------------------------------------------------------------------------
// BlockCache

TEST(request_rounding) {
  CHECK_EQ(BlockCache::round_request(0), 0u);
  CHECK_EQ(BlockCache::round_request(1), 512u);
  CHECK_EQ(BlockCache::round_request(512), 512u);
  CHECK_EQ(BlockCache::round_request(513), 1024u);
  CHECK_EQ(BlockCache::round_request(1 * MiB - 1), 1 * MiB);
  CHECK_EQ(BlockCache::round_request(1 * MiB), 1 * MiB);
  CHECK_EQ(BlockCache::round_request(1 * MiB + 1), 1 * MiB + 128 * KiB);
  CHECK_EQ(BlockCache::round_request(3 * MiB - 1), 3 * MiB);

  SimDevice dev(0, small_board(64 * MiB, 32));
  BlockCache cache(dev);
  Block a = cache.acquire(1);
  CHECK_EQ(a.bytes, 512u);
  Block b = cache.acquire(1 * MiB + 1);
  CHECK_EQ(b.bytes, 1 * MiB + 128 * KiB);
  CHECK_EQ(dev.used(), 512u + 1 * MiB + 128 * KiB);
  cache.release(a);
  cache.release(b);
}

TEST(cache_hands_back_the_released_block) {
  SimDevice dev(0, small_board(64 * MiB, 32));
  BlockCache cache(dev);
  Block a = cache.acquire(1000);  // 1024
  CHECK_EQ(a.bytes, 1024u);
  cache.release(a);
  CHECK_EQ(dev.used(), 1024u);  // cached, not given back
  CHECK_EQ(cache.cached_bytes(), 1024u);
  Block b = cache.acquire(1000);
  CHECK(b.handle == a.handle);
  CHECK_EQ(b.bytes, 1024u);
  cache.release(b);
  Block c = cache.acquire(600);  // also rounds to 1024
  CHECK(c.handle == a.handle);
  CHECK_EQ(cache.stats().num_device_alloc, 1);
  CHECK_EQ(cache.cached_bytes(), 0u);
  cache.release(c);
  cache.release(Block{});  // ignored
  CHECK_EQ(cache.stats().allocation.current, 0);
}

TEST(cache_best_fit_and_waste_bound) {
  SimDevice dev(0, small_board(64 * MiB, 32));
  BlockCache cache(dev);
  Block b4096 = cache.acquire(4096);
  Block b4608 = cache.acquire(4608);
  Block b5120 = cache.acquire(5120);
  cache.release(b5120);
  cache.release(b4608);
  cache.release(b4096);
  CHECK_EQ(cache.stats().num_device_alloc, 3);

  // The smallest block that holds the rounded request.
  Block x = cache.acquire(4000);  // 4096
  CHECK(x.handle == b4096.handle);
  Block y = cache.acquire(4097);  // 4608: exact fit preferred over 5120
  CHECK(y.handle == b4608.handle);
  cache.release(x);
  cache.release(y);

  // 4608 wastes exactly an eighth of 4096: allowed. With the 4096 and 4608 blocks in use,
  // a 4096 request may not take the 5120 block (an eighth is 512, 5120 - 4096 = 1024).
  Block p = cache.acquire(4096);
  CHECK(p.handle == b4096.handle);
  Block q = cache.acquire(4096);
  CHECK(q.handle == b4608.handle);
  CHECK_EQ(q.bytes, 4608u);
  Block r = cache.acquire(4096);
  CHECK(r.handle != b5120.handle);
  CHECK_EQ(r.bytes, 4096u);
  CHECK_EQ(cache.stats().num_device_alloc, 4);
  // A larger request never takes a smaller block.
  Block s = cache.acquire(5121);  // 5632 > 5120
  CHECK(s.handle != b5120.handle);
  CHECK_EQ(s.bytes, 5632u);
  CHECK_EQ(cache.stats().num_device_alloc, 5);
  for (Block blk : {p, q, r, s}) cache.release(blk);

  // The same bound for large requests: 1 MiB may take a 1152 KiB block, not a 1280 KiB one.
  Block big1280 = cache.acquire(1280 * KiB);
  Block big1152 = cache.acquire(1152 * KiB);
  CHECK_EQ(big1280.bytes, 1280 * KiB);
  CHECK_EQ(big1152.bytes, 1152 * KiB);
  cache.release(big1280);
  Block m = cache.acquire(1 * MiB);
  CHECK(m.handle != big1280.handle);
  CHECK_EQ(m.bytes, 1 * MiB);
  cache.release(big1152);
  cache.release(m);
  Block n = cache.acquire(1 * MiB);  // the exact 1 MiB block first
  CHECK(n.handle == m.handle);
  Block o = cache.acquire(1 * MiB);  // then the 1152 KiB one (waste 128 KiB = an eighth)
  CHECK(o.handle == big1152.handle);
  Block t = cache.acquire(1 * MiB);  // never the 1280 KiB one
  CHECK(t.handle != big1280.handle);
  CHECK_EQ(t.bytes, 1 * MiB);
  cache.release(n);
  cache.release(o);
  cache.release(t);

  cache.release_cached();
  CHECK_EQ(dev.used(), 0u);
  CHECK_EQ(cache.stats().reserved_bytes.current, 0);
  CHECK_EQ(cache.stats().segment.current, 0);
}

TEST(stats_arithmetic) {
  SimDevice dev(0, small_board(64 * MiB, 32));
  BlockCache cache(dev);
  Block a = cache.acquire(1000);  // 1024, from the device
  Block b = cache.acquire(3000);  // 3072, from the device
  cache.release(a);
  Block c = cache.acquire(700);  // 1024, a's block again
  CHECK(c.handle == a.handle);
  cache.release(b);
  cache.release(c);

  BlockCacheStats s = cache.stats();
  CHECK_EQ(s.allocation.current, 0);
  CHECK_EQ(s.allocation.peak, 2);
  CHECK_EQ(s.allocation.allocated, 3);
  CHECK_EQ(s.allocation.freed, 3);
  CHECK_EQ(s.active.current, 0);
  CHECK_EQ(s.active.peak, 2);
  CHECK_EQ(s.segment.current, 2);
  CHECK_EQ(s.segment.peak, 2);
  CHECK_EQ(s.segment.allocated, 2);
  CHECK_EQ(s.segment.freed, 0);
  CHECK_EQ(s.allocated_bytes.current, 0);
  CHECK_EQ(s.allocated_bytes.peak, 4096);
  CHECK_EQ(s.allocated_bytes.allocated, 5120);
  CHECK_EQ(s.allocated_bytes.freed, 5120);
  CHECK_EQ(s.active_bytes.current, 0);
  CHECK_EQ(s.active_bytes.peak, 4096);
  CHECK_EQ(s.active_bytes.allocated, 5120);
  CHECK_EQ(s.reserved_bytes.current, 4096);
  CHECK_EQ(s.reserved_bytes.peak, 4096);
  CHECK_EQ(s.reserved_bytes.allocated, 4096);
  CHECK_EQ(s.reserved_bytes.freed, 0);
  CHECK_EQ(s.num_device_alloc, 2);
  CHECK_EQ(s.num_device_free, 0);
  CHECK_EQ(s.num_alloc_retries, 0);
  CHECK_EQ(s.num_ooms, 0);
  CHECK_EQ(dev.used(), 4096u);
  CHECK_EQ(cache.cached_bytes(), 4096u);

  cache.release_cached();
  s = cache.stats();
  CHECK_EQ(s.segment.current, 0);
  CHECK_EQ(s.segment.peak, 2);
  CHECK_EQ(s.segment.freed, 2);
  CHECK_EQ(s.reserved_bytes.current, 0);
  CHECK_EQ(s.reserved_bytes.peak, 4096);
  CHECK_EQ(s.reserved_bytes.freed, 4096);
  CHECK_EQ(s.num_device_free, 2);
  CHECK_EQ(dev.used(), 0u);
  CHECK_EQ(cache.cached_bytes(), 0u);
}

TEST(reset_peak_and_accumulated) {
  SimDevice dev(0, small_board(64 * MiB, 32));
  BlockCache cache(dev);
  Block a = cache.acquire(2048);
  Block b = cache.acquire(2048);
  cache.release(b);  // allocated 2048 in use, 4096 reserved

  cache.reset_peak();
  BlockCacheStats s = cache.stats();
  CHECK_EQ(s.allocated_bytes.peak, 2048);  // was 4096
  CHECK_EQ(s.allocation.peak, 1);
  CHECK_EQ(s.reserved_bytes.peak, 4096);
  CHECK_EQ(s.segment.peak, 2);
  CHECK_EQ(s.allocated_bytes.allocated, 4096);  // accumulated figures untouched
  CHECK_EQ(s.num_device_alloc, 2);

  cache.reset_accumulated();
  s = cache.stats();
  CHECK_EQ(s.allocated_bytes.allocated, 0);
  CHECK_EQ(s.allocated_bytes.freed, 0);
  CHECK_EQ(s.allocation.allocated, 0);
  CHECK_EQ(s.reserved_bytes.allocated, 0);
  CHECK_EQ(s.segment.freed, 0);
  CHECK_EQ(s.num_device_alloc, 0);
  CHECK_EQ(s.num_device_free, 0);
  CHECK_EQ(s.num_alloc_retries, 0);
  CHECK_EQ(s.num_ooms, 0);
  CHECK_EQ(s.allocated_bytes.current, 2048);  // current and peak untouched
  CHECK_EQ(s.allocated_bytes.peak, 2048);
  CHECK_EQ(s.reserved_bytes.current, 4096);

  cache.release(a);
  s = cache.stats();
  CHECK_EQ(s.allocated_bytes.current, 0);
  CHECK_EQ(s.allocated_bytes.freed, 2048);
  CHECK_EQ(s.allocation.freed, 1);
}

TEST(oom_retry_releases_cache_and_succeeds) {
  SimDevice dev(0, small_board(8 * KiB, 32));
  BlockCache cache(dev);
  Block a = cache.acquire(4096);
  cache.release(a);  // 4096 cached
  Block b = cache.acquire(6000);  // 6144: no cached fit, 4096 free -> flush the cache, retry
  CHECK_EQ(b.bytes, 6144u);
  CHECK_EQ(dev.used(), 6144u);
  BlockCacheStats s = cache.stats();
  CHECK_EQ(s.num_alloc_retries, 1);
  CHECK_EQ(s.num_ooms, 0);
  CHECK_EQ(s.num_device_alloc, 2);
  CHECK_EQ(s.num_device_free, 1);
  CHECK_EQ(s.segment.current, 1);
  CHECK_EQ(s.reserved_bytes.current, 6144);
  CHECK_EQ(s.allocated_bytes.current, 6144);
  CHECK_EQ(cache.cached_bytes(), 0u);
  cache.release(b);
}

TEST(oom_after_retry_keeps_live_blocks) {
  SimDevice dev(0, small_board(8 * KiB, 32));
  BlockCache cache(dev);
  Block live = cache.acquire(4096);
  std::vector<uint8_t> data(4096);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
  dev.write(live, 0, data.data(), data.size());
  Block spare = cache.acquire(1024);
  cache.release(spare);  // 1024 cached; the device has 3072 free
  CHECK_EQ(dev.used(), 5120u);

  bool thrown = false;
  try {
    cache.acquire(5000);  // 5120: does not fit even after the 1024 cached bytes go back
  } catch (const OutOfDeviceMemory& e) {
    thrown = true;
    CHECK_EQ(e.device, 0);
    CHECK_EQ(e.requested, 5000u);  // the request as asked, not rounded
    CHECK_EQ(e.free_bytes, 4096u);  // free after the flush
    CHECK_EQ(e.capacity, 8 * KiB);
    const std::string what = e.what();
    CHECK(contains(what, "ttnn:0"));
    CHECK(contains(what, "5000"));
    CHECK(contains(what, "4096"));
  }
  CHECK(thrown);

  BlockCacheStats s = cache.stats();
  CHECK_EQ(s.num_ooms, 1);
  CHECK_EQ(s.num_alloc_retries, 1);
  CHECK_EQ(s.allocation.current, 1);
  CHECK_EQ(s.allocated_bytes.current, 4096);
  CHECK_EQ(s.active_bytes.current, 4096);
  CHECK_EQ(s.reserved_bytes.current, 4096);
  CHECK_EQ(s.segment.current, 1);
  CHECK_EQ(s.num_device_alloc, 2);
  CHECK_EQ(s.num_device_free, 1);
  CHECK_EQ(dev.used(), 4096u);
  CHECK(read_block(dev, live, 0, 4096) == data);  // the live block is untouched

  // A second failure counts again; the live block still stands.
  CHECK_THROWS(OutOfDeviceMemory, cache.acquire(8 * KiB));
  CHECK_EQ(cache.stats().num_ooms, 2);
  CHECK_EQ(cache.stats().num_alloc_retries, 2);
  CHECK(read_block(dev, live, 0, 4096) == data);

  // Requests that fit still work, and after the live block goes the whole device is usable.
  Block small = cache.acquire(4096);
  cache.release(small);
  cache.release(live);
  Block whole = cache.acquire(8 * KiB);  // flushes both cached blocks, then fits
  CHECK_EQ(whole.bytes, 8 * KiB);
  CHECK_EQ(dev.used(), 8 * KiB);
  cache.release(whole);
}

TEST(destructor_gives_cached_blocks_back) {
  SimDevice dev(0, small_board(1 * MiB, 32));
  {
    BlockCache cache(dev);
    Block a = cache.acquire(10000);
    Block b = cache.acquire(20000);
    cache.release(a);
    cache.release(b);
    CHECK(dev.used() > 0);
  }
  CHECK_EQ(dev.used(), 0u);
}

TEST(threads_acquire_and_release) {
  // Four threads, each holding at most one block of at most 2 MiB: 8 MiB live at most, so a 12 MiB
  // device always fits after a flush; retries may happen, out-of-memory may not.
  SimDevice dev(0, small_board(12 * MiB, 32));
  BlockCache cache(dev);
  const uint64_t sizes[] = {100, 1000, 5000, 70000, 2 * MiB};
  constexpr int kThreads = 4;
  constexpr int kIterations = 300;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      uint32_t state = 12345u + static_cast<uint32_t>(t);
      for (int i = 0; i < kIterations; ++i) {
        state = state * 1664525u + 1013904223u;
        const uint64_t bytes = sizes[(state >> 16) % 5];
        try {
          Block block = cache.acquire(bytes);
          if (block.bytes < bytes) errors++;
          const uint8_t tag = static_cast<uint8_t>(t * 31 + i);
          dev.fill(block, 0, bytes, &tag, 1);
          uint8_t first = 0, last = 0;
          dev.read(block, 0, &first, 1);
          dev.read(block, bytes - 1, &last, 1);
          if (first != tag || last != tag) errors++;
          cache.release(block);
        } catch (...) {
          errors++;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK_EQ(errors.load(), 0);
  BlockCacheStats s = cache.stats();
  CHECK_EQ(s.allocation.current, 0);
  CHECK_EQ(s.allocation.allocated, kThreads * kIterations);
  CHECK_EQ(s.allocation.freed, kThreads * kIterations);
  CHECK(s.allocation.peak >= 1 && s.allocation.peak <= kThreads);
  CHECK_EQ(s.allocated_bytes.current, 0);
  CHECK_EQ(s.num_ooms, 0);
  CHECK_EQ(s.segment.current, s.num_device_alloc - s.num_device_free);
  CHECK_EQ(static_cast<uint64_t>(s.reserved_bytes.current), dev.used());
  CHECK_EQ(static_cast<uint64_t>(s.reserved_bytes.current), cache.cached_bytes());
  cache.release_cached();
  CHECK_EQ(dev.used(), 0u);
  CHECK_EQ(cache.stats().segment.current, 0);
}

// Reused nodes must leave the map exactly as plain insert/erase would: a pseudo-random mix of inserts and
// erases (more than the reserve keeps, so both the reuse and the overflow path run) against a reference.
TEST(node_reserve_matches_plain_map_and_multimap) {
  std::map<uint64_t, int> map, map_reference;
  std::multimap<uint64_t, int> multi, multi_reference;
  NodeReserve<std::map<uint64_t, int>> map_nodes;
  NodeReserve<std::multimap<uint64_t, int>> multi_nodes;
  std::mt19937_64 random(7);
  for (int step = 0; step < 5000; ++step) {
    const uint64_t key = random() % 200;
    const int value = static_cast<int>(random() % 1000);
    const bool grow = (step / 500) % 2 == 0 ? random() % 4 != 0 : random() % 4 == 0;
    if (grow) {
      if (!map.count(key)) {
        map_nodes.insert(map, key, value);
        map_reference.emplace(key, value);
      }
      multi_nodes.insert(multi, key, value);
      multi_reference.emplace(key, value);
    } else {
      if (auto it = map.lower_bound(key); it != map.end()) {
        map_reference.erase(it->first);
        map_nodes.erase(map, it);
      }
      if (auto it = multi.lower_bound(key); it != multi.end()) {
        // The first element of the equal range in both (multimap keeps insertion order among equal keys).
        multi_reference.erase(multi_reference.lower_bound(it->first));
        multi_nodes.erase(multi, it);
      }
    }
    if (step % 97 == 0) {
      CHECK(map == map_reference);
      CHECK(multi == multi_reference);
    }
  }
  CHECK(map == map_reference);
  CHECK(multi == multi_reference);
  CHECK(!map.empty() || !multi.empty());
}

int main() { return check::run_all(); }
