// Row-major <-> TILE element order for any element size (32x32 tiles of four 16x16 faces). Torch-free.
//
// A tile is 32x32 elements stored as four 16x16 faces (top-left, top-right, bottom-left, bottom-right), each
// face row-major: element (r, c) of a tile lives at ((r/16)*2 + c/16)*256 + (r%16)*16 + c%16. The tiles of
// one 2-D slice follow row-major over the tile grid, and slices follow in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace ttnn_device::runtime::formats {

// A tensor seen as `slices` row-major matrices of height x width elements (TT-NN's 2-D view, outer dims
// flattened). Padded sizes round height and width up to whole tiles.
struct TileGrid {
  int64_t slices = 1;
  int64_t height = 1;
  int64_t width = 1;

  int64_t tiles_high() const { return (height + 31) / 32; }
  int64_t tiles_wide() const { return (width + 31) / 32; }
  int64_t num_tiles() const { return slices * tiles_high() * tiles_wide(); }
};

// One tile: copies the valid rows x cols corner (rows, cols <= 32) of a row-major block whose rows are
// `row_stride` bytes apart into tile order, and zero-fills the rest of the tile (TT-NN's default pad value).
void tilize_tile(const uint8_t* src, size_t row_stride, int64_t rows, int64_t cols, size_t elem_size, uint8_t* tile);
// Inverse of tilize_tile: writes only the valid rows x cols corner; padding is ignored.
void untilize_tile(const uint8_t* tile, int64_t rows, int64_t cols, size_t elem_size, uint8_t* dst, size_t row_stride);

// Whole tensors. `dst` of tilize holds grid.num_tiles() * 1024 elements; `src` of untilize likewise.
void tilize(const void* src, const TileGrid& grid, size_t elem_size, void* dst);
void untilize(const void* src, const TileGrid& grid, size_t elem_size, void* dst);

// How conversions spread rows of tiles over threads. Serial unless the host process installs a pool (the
// extension installs torch's intra-op pool, so torch.set_num_threads governs conversions too); `fn`
// covers the items [begin, end) and is called with disjoint ranges, possibly at the same time.
using RangeFn = std::function<void(int64_t begin, int64_t end)>;
using ParallelFor = void (*)(int64_t n, int64_t grain, const RangeFn& fn);
void set_parallel_for(ParallelFor parallel_for);
void parallel_for(int64_t n, int64_t grain, const RangeFn& fn);

// Calls fn(tile_index, src_block, rows, cols) for every tile, where src_block points at the tile's
// top-left element inside a row-major tensor of `elem_size` byte elements (rows are grid.width elements
// apart). Lets packers (block floats) and converters walk tiles without an intermediate buffer. Rows of
// tiles may be visited in parallel (each tile once): fn must only write what belongs to its tile.
// Byte is uint8_t or const uint8_t.
template <typename Byte, typename Fn>
void for_each_tile(const TileGrid& grid, size_t elem_size, Byte* base, Fn&& fn) {
  const int64_t th = grid.tiles_high(), tw = grid.tiles_wide();
  const size_t row_stride = static_cast<size_t>(grid.width) * elem_size;
  // At least ~64 tiles per task: smaller tensors are not worth waking a thread for.
  const int64_t grain = tw >= 64 ? 1 : 64 / (tw > 0 ? tw : 1);
  parallel_for(grid.slices * th, grain, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t s = row / th, ty = row % th;
      Byte* slice = base + static_cast<size_t>(s) * static_cast<size_t>(grid.height) * row_stride;
      const int64_t rows = grid.height - ty * 32 < 32 ? grid.height - ty * 32 : 32;
      for (int64_t tx = 0; tx < tw; ++tx) {
        const int64_t cols = grid.width - tx * 32 < 32 ? grid.width - tx * 32 : 32;
        Byte* block = slice + static_cast<size_t>(ty) * 32 * row_stride + static_cast<size_t>(tx) * 32 * elem_size;
        fn(row * tw + tx, block, rows, cols);
      }
    }
  });
}

}  // namespace ttnn_device::runtime::formats
