// Row-major <-> TILE element order for any element size (ttnn_semantics §1.3). Torch-free.
//
// A tile is 32x32 elements stored as four 16x16 faces (top-left, top-right, bottom-left, bottom-right), each
// face row-major: element (r, c) of a tile lives at ((r/16)*2 + c/16)*256 + (r%16)*16 + c%16. The tiles of
// one 2-D slice follow row-major over the tile grid, and slices follow in order.
#pragma once

#include <cstddef>
#include <cstdint>

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

// Calls fn(tile_index, src_block, rows, cols) for every tile in storage order, where src_block points at the
// tile's top-left element inside a row-major tensor of `elem_size` byte elements (rows are grid.width
// elements apart). Lets packers (block floats) and converters walk tiles without an intermediate buffer.
// Byte is uint8_t or const uint8_t.
template <typename Byte, typename Fn>
void for_each_tile(const TileGrid& grid, size_t elem_size, Byte* base, Fn&& fn) {
  const int64_t th = grid.tiles_high(), tw = grid.tiles_wide();
  const size_t row_stride = static_cast<size_t>(grid.width) * elem_size;
  int64_t index = 0;
  for (int64_t s = 0; s < grid.slices; ++s) {
    Byte* slice = base + static_cast<size_t>(s) * static_cast<size_t>(grid.height) * row_stride;
    for (int64_t ty = 0; ty < th; ++ty) {
      const int64_t rows = grid.height - ty * 32 < 32 ? grid.height - ty * 32 : 32;
      for (int64_t tx = 0; tx < tw; ++tx) {
        const int64_t cols = grid.width - tx * 32 < 32 ? grid.width - tx * 32 : 32;
        Byte* block = slice + static_cast<size_t>(ty) * 32 * row_stride + static_cast<size_t>(tx) * 32 * elem_size;
        fn(index++, block, rows, cols);
      }
    }
  }
}

}  // namespace ttnn_device::runtime::formats
