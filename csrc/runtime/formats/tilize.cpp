#include "runtime/formats/tilize.h"

#include <atomic>
#include <cstring>

namespace ttnn_device::runtime::formats {

namespace {

constexpr int64_t kFace = 16;

// A face row is 16 contiguous elements on both sides, so (un)tilizing is 64 short memcpys per tile. The
// element size is a template parameter for the common sizes so that the copies become fixed-size moves.
template <size_t E>
void tilize_tile_fixed(const uint8_t* src, size_t row_stride, int64_t rows, int64_t cols, size_t esize, uint8_t* tile) {
  const size_t es = E ? E : esize;
  const size_t face_row = kFace * es;
  if (rows == 32 && cols == 32) {
    for (int64_t r = 0; r < 32; ++r) {
      const uint8_t* s = src + static_cast<size_t>(r) * row_stride;
      uint8_t* d = tile + (static_cast<size_t>((r / kFace) * 2) * 256 + static_cast<size_t>(r % kFace) * kFace) * es;
      std::memcpy(d, s, face_row);
      std::memcpy(d + 256 * es, s + face_row, face_row);
    }
    return;
  }
  std::memset(tile, 0, 1024 * es);
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* s = src + static_cast<size_t>(r) * row_stride;
    uint8_t* d = tile + (static_cast<size_t>((r / kFace) * 2) * 256 + static_cast<size_t>(r % kFace) * kFace) * es;
    const int64_t left = cols < kFace ? cols : kFace;
    std::memcpy(d, s, static_cast<size_t>(left) * es);
    if (cols > kFace) std::memcpy(d + 256 * es, s + face_row, static_cast<size_t>(cols - kFace) * es);
  }
}

template <size_t E>
void untilize_tile_fixed(const uint8_t* tile, int64_t rows, int64_t cols, size_t esize, uint8_t* dst, size_t row_stride) {
  const size_t es = E ? E : esize;
  const size_t face_row = kFace * es;
  const int64_t left = cols < kFace ? cols : kFace;
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* d = dst + static_cast<size_t>(r) * row_stride;
    const uint8_t* s = tile + (static_cast<size_t>((r / kFace) * 2) * 256 + static_cast<size_t>(r % kFace) * kFace) * es;
    if (cols == 32) {
      std::memcpy(d, s, face_row);
      std::memcpy(d + face_row, s + 256 * es, face_row);
    } else {
      std::memcpy(d, s, static_cast<size_t>(left) * es);
      if (cols > kFace) std::memcpy(d + face_row, s + 256 * es, static_cast<size_t>(cols - kFace) * es);
    }
  }
}

std::atomic<ParallelFor> installed{nullptr};

}  // namespace

void set_parallel_for(ParallelFor fn) { installed.store(fn); }

void parallel_for(int64_t n, int64_t grain, const RangeFn& fn) {
  if (n <= 0) return;
  ParallelFor pool = installed.load(std::memory_order_relaxed);
  if (pool && n > grain) {
    pool(n, grain, fn);
  } else {
    fn(0, n);
  }
}

void tilize_tile(const uint8_t* src, size_t row_stride, int64_t rows, int64_t cols, size_t elem_size, uint8_t* tile) {
  switch (elem_size) {
    case 1: return tilize_tile_fixed<1>(src, row_stride, rows, cols, 1, tile);
    case 2: return tilize_tile_fixed<2>(src, row_stride, rows, cols, 2, tile);
    case 4: return tilize_tile_fixed<4>(src, row_stride, rows, cols, 4, tile);
    case 8: return tilize_tile_fixed<8>(src, row_stride, rows, cols, 8, tile);
    default: return tilize_tile_fixed<0>(src, row_stride, rows, cols, elem_size, tile);
  }
}

void untilize_tile(const uint8_t* tile, int64_t rows, int64_t cols, size_t elem_size, uint8_t* dst, size_t row_stride) {
  switch (elem_size) {
    case 1: return untilize_tile_fixed<1>(tile, rows, cols, 1, dst, row_stride);
    case 2: return untilize_tile_fixed<2>(tile, rows, cols, 2, dst, row_stride);
    case 4: return untilize_tile_fixed<4>(tile, rows, cols, 4, dst, row_stride);
    case 8: return untilize_tile_fixed<8>(tile, rows, cols, 8, dst, row_stride);
    default: return untilize_tile_fixed<0>(tile, rows, cols, elem_size, dst, row_stride);
  }
}

void tilize(const void* src, const TileGrid& grid, size_t elem_size, void* dst) {
  const size_t row_stride = static_cast<size_t>(grid.width) * elem_size;
  const size_t tile_bytes = 1024 * elem_size;
  uint8_t* out = static_cast<uint8_t*>(dst);
  for_each_tile(grid, elem_size, static_cast<const uint8_t*>(src),
                [&](int64_t t, const uint8_t* block, int64_t rows, int64_t cols) {
                  tilize_tile(block, row_stride, rows, cols, elem_size, out + static_cast<size_t>(t) * tile_bytes);
                });
}

void untilize(const void* src, const TileGrid& grid, size_t elem_size, void* dst) {
  const size_t row_stride = static_cast<size_t>(grid.width) * elem_size;
  const size_t tile_bytes = 1024 * elem_size;
  const uint8_t* in = static_cast<const uint8_t*>(src);
  for_each_tile(grid, elem_size, static_cast<uint8_t*>(dst), [&](int64_t t, uint8_t* block, int64_t rows, int64_t cols) {
    untilize_tile(in + static_cast<size_t>(t) * tile_bytes, rows, cols, elem_size, block, row_stride);
  });
}

}  // namespace ttnn_device::runtime::formats
