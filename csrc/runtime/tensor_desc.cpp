#include "runtime/tensor_desc.h"

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "runtime/formats/bfloat16.h"
#include "runtime/formats/block_float.h"
#include "runtime/formats/tilize.h"

namespace ttnn_device::runtime {

namespace {

using formats::TileGrid;

int64_t round_up_to_tile(int64_t n) { return (n + kTileWidth - 1) / kTileWidth * kTileWidth; }

// TT-NN's 2-D view of a tensor: outer dims flattened into slices; rank 0 is a 1x1 matrix and rank 1 a single
// row (which is why TILE promotes them to rank 2).
TileGrid grid_of(const Shape& shape) {
  TileGrid g;
  const size_t rank = shape.size();
  g.width = rank >= 1 ? shape[rank - 1] : 1;
  g.height = rank >= 2 ? shape[rank - 2] : 1;
  g.slices = 1;
  for (size_t i = 0; i + 2 < rank; ++i) g.slices *= shape[i];
  return g;
}

size_t physical_element_size(const TensorDesc& d) {
  return d.data_type == DataType::RAW ? d.raw_element_size : element_size(d.data_type);
}

size_t tile_page_bytes(DataType type) {
  switch (type) {
    case DataType::BFLOAT8_B: return formats::kBfp8PageBytes;
    case DataType::BFLOAT4_B: return formats::kBfp4PageBytes;
    default: return static_cast<size_t>(kTileElements) * element_size(type);
  }
}

std::string describe(const TensorDesc& d) {
  return std::string(to_string(d.host_type)) + " -> " + to_string(d.data_type) + " in " + to_string(d.layout);
}

// The lossy encodings TT-NN's host conversion performs (ttnn_semantics §2.2, §2.3).
bool supported_conversion(DataType host, DataType physical) {
  if (physical == DataType::BFLOAT16) return host == DataType::FLOAT32;
  if (is_block_float(physical)) return host == DataType::FLOAT32 || host == DataType::BFLOAT16;
  return false;
}

// Walks the tiles of the logical tensor with a 1024-element tile-order float32 staging buffer per tile, so
// every converting path shares one traversal and the conversion itself stays a plain loop.
template <typename Fn>
void for_each_logical_tile(const TensorDesc& d, const uint8_t* logical, Fn&& fn) {
  const size_t es = d.host_element_size();
  formats::for_each_tile(grid_of(d.shape), es, logical, std::forward<Fn>(fn));
}

// Fills `tile` (tile order, float32) from a block of host elements; padding becomes 0.
void stage_tile(DataType host, const uint8_t* block, size_t row_stride, int64_t rows, int64_t cols, float* tile) {
  if (host == DataType::FLOAT32) {
    formats::tilize_tile(block, row_stride, rows, cols, 4, reinterpret_cast<uint8_t*>(tile));
    return;
  }
  uint16_t half[kTileElements];
  formats::tilize_tile(block, row_stride, rows, cols, 2, reinterpret_cast<uint8_t*>(half));
  for (int64_t i = 0; i < kTileElements; ++i) tile[i] = formats::bf16_bits_to_float(half[i]);
}

// Writes the valid corner of a tile-order float32 tile back as host elements.
void unstage_tile(DataType host, const float* tile, int64_t rows, int64_t cols, uint8_t* block, size_t row_stride) {
  if (host == DataType::FLOAT32) {
    formats::untilize_tile(reinterpret_cast<const uint8_t*>(tile), rows, cols, 4, block, row_stride);
    return;
  }
  // Block-float values have at most 7 significant bits, so bf16 holds them exactly: truncation keeps the
  // value (and the sign of a NaN) where rounding would canonicalise NaNs.
  uint16_t half[kTileElements];
  for (int64_t i = 0; i < kTileElements; ++i) half[i] = static_cast<uint16_t>(formats::float_bits(tile[i]) >> 16);
  formats::untilize_tile(reinterpret_cast<const uint8_t*>(half), rows, cols, 2, block, row_stride);
}

}  // namespace

int64_t TensorDesc::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Shape TensorDesc::padded_shape() const {
  if (layout == Layout::ROW_MAJOR) {
    // TT-NN reports a 0-d tensor's padded shape as [1]: one element, one page.
    return shape.empty() ? Shape{1} : shape;
  }
  // TILE pads the last two dims; rank 0 and 1 are promoted to rank 2 first ([] -> [1,1], [n] -> [1,n]).
  // A zero-size dim stays 0 (rounding 0 up to a multiple of 32).
  Shape padded = shape;
  while (padded.size() < 2) padded.insert(padded.begin(), 1);
  const size_t r = padded.size();
  padded[r - 1] = round_up_to_tile(padded[r - 1]);
  padded[r - 2] = round_up_to_tile(padded[r - 2]);
  return padded;
}

size_t TensorDesc::host_element_size() const {
  return host_type == DataType::RAW ? raw_element_size : element_size(host_type);
}

size_t TensorDesc::logical_bytes() const { return static_cast<size_t>(numel()) * host_element_size(); }

size_t TensorDesc::page_bytes() const {
  if (layout == Layout::TILE) {
    if (data_type == DataType::RAW) throw std::invalid_argument("RAW data has no TILE layout");
    return tile_page_bytes(data_type);
  }
  return static_cast<size_t>(padded_shape().back()) * physical_element_size(*this);
}

int64_t TensorDesc::num_pages() const {
  if (layout == Layout::TILE) return grid_of(shape).num_tiles();
  const Shape padded = padded_shape();
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < padded.size(); ++i) rows *= padded[i];
  return rows;
}

size_t TensorDesc::physical_bytes() const { return page_bytes() * static_cast<size_t>(num_pages()); }

void TensorDesc::validate() const {
  for (int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("negative dimension " + std::to_string(d) + " in tensor shape");
  }
  if (is_block_float(host_type)) {
    throw std::invalid_argument(std::string("host type ") + to_string(host_type) +
                                " is a block float; torch only sees FLOAT32 or BFLOAT16 for it");
  }
  if (host_type == DataType::RAW || data_type == DataType::RAW) {
    if (host_type != data_type) throw std::invalid_argument("unsupported encoding " + describe(*this) + ": RAW is verbatim only");
    if (layout != Layout::ROW_MAJOR) throw std::invalid_argument("RAW data must be ROW_MAJOR (TT-NN cannot tile it)");
    if (raw_element_size == 0) throw std::invalid_argument("RAW data needs raw_element_size >= 1");
    return;
  }
  if (is_block_float(data_type) && layout != Layout::TILE) {
    throw std::invalid_argument(std::string(to_string(data_type)) + " requires TILE layout (TT-NN has no row-major block floats)");
  }
  if (data_type != host_type && !supported_conversion(host_type, data_type)) {
    throw std::invalid_argument("unsupported encoding " + describe(*this) +
                                " (supported: identity, FLOAT32 -> BFLOAT16, FLOAT32/BFLOAT16 -> BFLOAT8_B/BFLOAT4_B)");
  }
}

void encode(const TensorDesc& desc, const void* logical, void* physical) {
  desc.validate();
  const auto* in = static_cast<const uint8_t*>(logical);
  auto* out = static_cast<uint8_t*>(physical);
  const int64_t n = desc.numel();

  if (desc.data_type == desc.host_type) {
    if (desc.layout == Layout::ROW_MAJOR) {
      if (n > 0) std::memcpy(out, in, desc.logical_bytes());
    } else {
      formats::tilize(in, grid_of(desc.shape), desc.host_element_size(), out);
    }
    return;
  }

  if (desc.data_type == DataType::BFLOAT16) {  // from FLOAT32
    if (desc.layout == Layout::ROW_MAJOR) {
      const auto* src = reinterpret_cast<const float*>(in);
      auto* dst = reinterpret_cast<uint16_t*>(out);
      for (int64_t i = 0; i < n; ++i) dst[i] = formats::float_to_bf16_bits(src[i]);
      return;
    }
    const size_t row_stride = static_cast<size_t>(grid_of(desc.shape).width) * 4;
    for_each_logical_tile(desc, in, [&](int64_t t, const uint8_t* block, int64_t rows, int64_t cols) {
      float tile[kTileElements];
      stage_tile(DataType::FLOAT32, block, row_stride, rows, cols, tile);
      auto* page = reinterpret_cast<uint16_t*>(out + static_cast<size_t>(t) * 2 * kTileElements);
      for (int64_t i = 0; i < kTileElements; ++i) page[i] = formats::float_to_bf16_bits(tile[i]);
    });
    return;
  }

  // Block floats (TILE only, validated above).
  const bool bfp8 = desc.data_type == DataType::BFLOAT8_B;
  const size_t page_bytes = desc.page_bytes();
  const size_t row_stride = static_cast<size_t>(grid_of(desc.shape).width) * desc.host_element_size();
  for_each_logical_tile(desc, in, [&](int64_t t, const uint8_t* block, int64_t rows, int64_t cols) {
    float tile[kTileElements];
    stage_tile(desc.host_type, block, row_stride, rows, cols, tile);
    uint8_t* page = out + static_cast<size_t>(t) * page_bytes;
    if (bfp8) {
      formats::pack_bfp8_tile(tile, page);
    } else {
      formats::pack_bfp4_tile(tile, page);
    }
  });
}

void decode(const TensorDesc& desc, const void* physical, void* logical) {
  desc.validate();
  const auto* in = static_cast<const uint8_t*>(physical);
  auto* out = static_cast<uint8_t*>(logical);
  const int64_t n = desc.numel();

  if (desc.data_type == desc.host_type) {
    if (desc.layout == Layout::ROW_MAJOR) {
      if (n > 0) std::memcpy(out, in, desc.logical_bytes());
    } else {
      formats::untilize(in, grid_of(desc.shape), desc.host_element_size(), out);
    }
    return;
  }

  if (desc.data_type == DataType::BFLOAT16) {  // to FLOAT32, exactly
    if (desc.layout == Layout::ROW_MAJOR) {
      const auto* src = reinterpret_cast<const uint16_t*>(in);
      auto* dst = reinterpret_cast<float*>(out);
      for (int64_t i = 0; i < n; ++i) dst[i] = formats::bf16_bits_to_float(src[i]);
      return;
    }
    const size_t row_stride = static_cast<size_t>(grid_of(desc.shape).width) * 4;
    formats::for_each_tile(grid_of(desc.shape), 4, out, [&](int64_t t, uint8_t* block, int64_t rows, int64_t cols) {
      const auto* page = reinterpret_cast<const uint16_t*>(in + static_cast<size_t>(t) * 2 * kTileElements);
      float tile[kTileElements];
      for (int64_t i = 0; i < kTileElements; ++i) tile[i] = formats::bf16_bits_to_float(page[i]);
      unstage_tile(DataType::FLOAT32, tile, rows, cols, block, row_stride);
    });
    return;
  }

  const bool bfp8 = desc.data_type == DataType::BFLOAT8_B;
  const size_t page_bytes = desc.page_bytes();
  const size_t es = desc.host_element_size();
  const size_t row_stride = static_cast<size_t>(grid_of(desc.shape).width) * es;
  formats::for_each_tile(grid_of(desc.shape), es, out, [&](int64_t t, uint8_t* block, int64_t rows, int64_t cols) {
    const uint8_t* page = in + static_cast<size_t>(t) * page_bytes;
    float tile[kTileElements];
    if (bfp8) {
      formats::unpack_bfp8_tile(page, tile);
    } else {
      formats::unpack_bfp4_tile(page, tile);
    }
    unstage_tile(desc.host_type, tile, rows, cols, block, row_stride);
  });
}

}  // namespace ttnn_device::runtime
