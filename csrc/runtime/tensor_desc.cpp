#include "runtime/tensor_desc.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "runtime/formats/block_float.h"
#include "runtime/formats/tile_codec.h"
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

// The lossy encodings TT-NN's host conversion performs (float32 to BFLOAT16, BFLOAT8_B, BFLOAT4_B).
bool supported_conversion(DataType host, DataType physical) {
  if (physical == DataType::BFLOAT16) return host == DataType::FLOAT32;
  if (is_block_float(physical)) return host == DataType::FLOAT32 || host == DataType::BFLOAT16;
  return false;
}

// The tile kernel of a TILE conversion, or -1 for verbatim elements of other sizes (1 or 8 bytes), which
// the generic (un)tilize moves.
int tile_kind(const TensorDesc& d) {
  using formats::TileKind;
  if (d.data_type == d.host_type) {
    switch (d.host_element_size()) {
      case 4: return static_cast<int>(TileKind::kCopy32);
      case 2: return static_cast<int>(TileKind::kCopy16);
      default: return -1;
    }
  }
  const bool bf16_host = d.host_type == DataType::BFLOAT16;
  switch (d.data_type) {
    case DataType::BFLOAT16: return static_cast<int>(TileKind::kF32Bf16);
    case DataType::BFLOAT8_B: return static_cast<int>(bf16_host ? TileKind::kBf16Bfp8 : TileKind::kF32Bfp8);
    case DataType::BFLOAT4_B: return static_cast<int>(bf16_host ? TileKind::kBf16Bfp4 : TileKind::kF32Bfp4);
    default: throw std::logic_error("no tile kernel for " + describe(d));
  }
}

// Edge tiles (a partial corner of the 2-D slice) go through a full 32x32 block on the stack, zero-padded
// on the way in (TT-NN's pad value), so the kernels only ever see whole tiles.
constexpr size_t kMaxKernelElement = 4;

void encode_tiles(const TensorDesc& d, const uint8_t* in, uint8_t* out, formats::EncodeTileFn kernel) {
  const size_t es = d.host_element_size(), page_bytes = d.page_bytes();
  const TileGrid grid = grid_of(d.shape);
  const size_t row_stride = static_cast<size_t>(grid.width) * es;
  formats::for_each_tile(grid, es, in, [&](int64_t t, const uint8_t* block, int64_t rows, int64_t cols) {
    uint8_t* page = out + static_cast<size_t>(t) * page_bytes;
    if (rows == kTileWidth && cols == kTileWidth) {
      kernel(block, row_stride, page);
      return;
    }
    // Each byte of the block written once: the rows' elements, then zeros to the right and below.
    alignas(64) uint8_t padded[kTileElements * kMaxKernelElement];
    const size_t kept = static_cast<size_t>(cols) * es, full = kTileWidth * es;
    for (int64_t r = 0; r < rows; ++r) {
      std::memcpy(padded + r * full, block + r * row_stride, kept);
      if (kept < full) std::memset(padded + r * full + kept, 0, full - kept);
    }
    std::memset(padded + rows * full, 0, (kTileWidth - rows) * full);
    kernel(padded, kTileWidth * es, page);
  });
}

void decode_tiles(const TensorDesc& d, const uint8_t* in, uint8_t* out, formats::DecodeTileFn kernel) {
  const size_t es = d.host_element_size(), page_bytes = d.page_bytes();
  const TileGrid grid = grid_of(d.shape);
  const size_t row_stride = static_cast<size_t>(grid.width) * es;
  formats::for_each_tile(grid, es, out, [&](int64_t t, uint8_t* block, int64_t rows, int64_t cols) {
    const uint8_t* page = in + static_cast<size_t>(t) * page_bytes;
    if (rows == kTileWidth && cols == kTileWidth) {
      kernel(page, block, row_stride);
      return;
    }
    alignas(64) uint8_t padded[kTileElements * kMaxKernelElement];
    kernel(page, padded, kTileWidth * es);
    for (int64_t r = 0; r < rows; ++r) std::memcpy(block + r * row_stride, padded + r * kTileWidth * es, cols * es);
  });
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
  // A ROW_MAJOR page is one row (a 0-d tensor's padded shape is [1]); computed without building the
  // padded shape: every op's allocation asks.
  const int64_t width = shape.empty() ? 1 : shape.back();
  return static_cast<size_t>(width) * physical_element_size(*this);
}

int64_t TensorDesc::num_pages() const {
  if (layout == Layout::TILE) return grid_of(shape).num_tiles();
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
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

namespace {
// Past the caches, pages go out with non-temporal stores (TileCodec::encode_streaming).
bool streaming(const TensorDesc& desc, const uint8_t* out) {
  constexpr size_t kStreamingBytes = size_t{8} << 20;
  return desc.physical_bytes() >= kStreamingBytes && reinterpret_cast<uintptr_t>(out) % 64 == 0 &&
         desc.page_bytes() % 64 == 0;
}
}  // namespace

void encode(const TensorDesc& desc, const void* logical, void* physical) {
  desc.validate();
  const auto* in = static_cast<const uint8_t*>(logical);
  auto* out = static_cast<uint8_t*>(physical);
  const int64_t n = desc.numel();
  if (n == 0) return;
  if (desc.layout == Layout::ROW_MAJOR) {
    if (desc.data_type == desc.host_type) {
      std::memcpy(out, in, desc.logical_bytes());
    } else {  // FLOAT32 -> BFLOAT16, the only row-major conversion
      formats::tile_codec().bf16_from_f32(reinterpret_cast<const float*>(in), reinterpret_cast<uint16_t*>(out), n);
    }
    return;
  }
  const int kind = tile_kind(desc);
  if (kind < 0) {
    formats::tilize(in, grid_of(desc.shape), desc.host_element_size(), out);
    return;
  }
  const formats::TileCodec& codec = formats::tile_codec();
  encode_tiles(desc, in, out, streaming(desc, out) ? codec.encode_streaming[kind] : codec.encode[kind]);
}

bool can_encode_flushing(const TensorDesc& desc) {
  return desc.layout == Layout::TILE && desc.data_type == desc.host_type &&
         (desc.data_type == DataType::FLOAT32 || desc.data_type == DataType::BFLOAT16);
}

void encode_flushing(const TensorDesc& desc, const void* logical, void* physical) {
  if (!can_encode_flushing(desc)) throw std::invalid_argument("no flushing encode for " + describe(desc));
  auto* out = static_cast<uint8_t*>(physical);
  if (desc.numel() == 0) return;
  const int kind = static_cast<int>(desc.data_type == DataType::FLOAT32 ? formats::FlushKind::kFloat32
                                                                        : formats::FlushKind::kBfloat16);
  const formats::TileCodec& codec = formats::tile_codec();
  encode_tiles(desc, static_cast<const uint8_t*>(logical), out,
               streaming(desc, out) ? codec.encode_flushing_streaming[kind] : codec.encode_flushing[kind]);
}

void decode(const TensorDesc& desc, const void* physical, void* logical) {
  desc.validate();
  const auto* in = static_cast<const uint8_t*>(physical);
  auto* out = static_cast<uint8_t*>(logical);
  const int64_t n = desc.numel();
  if (n == 0) return;
  if (desc.layout == Layout::ROW_MAJOR) {
    if (desc.data_type == desc.host_type) {
      std::memcpy(out, in, desc.logical_bytes());
    } else {  // BFLOAT16 -> FLOAT32, exactly
      formats::tile_codec().f32_from_bf16(reinterpret_cast<const uint16_t*>(in), reinterpret_cast<float*>(out), n);
    }
    return;
  }
  const int kind = tile_kind(desc);
  if (kind < 0) {
    formats::untilize(in, grid_of(desc.shape), desc.host_element_size(), out);
    return;
  }
  decode_tiles(desc, in, out, formats::tile_codec().decode[kind]);
}

namespace {

// Calls fn(tile_index, slice, ty, tx) for every tile holding an element of [first, last): per band of 32
// rows, all its tiles, or only the columns touched when the run covers a single row of the band.
template <typename Fn>
void for_each_touched_tile(const TileGrid& g, int64_t first, int64_t last, Fn&& fn) {
  const int64_t w = g.width, h = g.height, th = g.tiles_high(), tw = g.tiles_wide();
  const int64_t row_first = first / w, row_last = (last - 1) / w;  // rows counted across slices
  for (int64_t row = row_first; row <= row_last;) {
    const int64_t s = row / h, ty = (row % h) / kTileWidth;
    const int64_t band_last = std::min(s * h + std::min(h, (ty + 1) * kTileWidth) - 1, row_last);
    int64_t tx_first = 0, tx_last = tw - 1;
    if (row == band_last) {
      tx_first = (row == row_first ? first % w : 0) / kTileWidth;
      tx_last = (row == row_last ? (last - 1) % w : w - 1) / kTileWidth;
    }
    for (int64_t tx = tx_first; tx <= tx_last; ++tx) fn((s * th + ty) * tw + tx, s, ty, tx);
    row = band_last + 1;
  }
}

// Calls copy(block_offset, run_offset, bytes) for each row segment of one tile that lies in [first, last):
// offsets into a 32x32 host block (rows 32 elements apart) and into the run's buffer.
template <typename Copy>
void for_each_part_in_run(const TileGrid& g, size_t es, int64_t s, int64_t ty, int64_t tx, int64_t first,
                          int64_t last, Copy&& copy) {
  const int64_t rows = std::min<int64_t>(kTileWidth, g.height - ty * kTileWidth);
  const int64_t cols = std::min<int64_t>(kTileWidth, g.width - tx * kTileWidth);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t start = s * g.height * g.width + (ty * kTileWidth + r) * g.width + tx * kTileWidth;
    const int64_t lo = std::max(start, first), hi = std::min(start + cols, last);
    if (lo < hi) {
      copy(static_cast<size_t>(r * kTileWidth + (lo - start)) * es, static_cast<size_t>(lo - first) * es,
           static_cast<size_t>(hi - lo) * es);
    }
  }
}

void decode_page(const TensorDesc& d, int kind, const uint8_t* page, uint8_t* block) {
  const size_t es = d.host_element_size();
  if (kind < 0) {
    formats::untilize_tile(page, kTileWidth, kTileWidth, es, block, kTileWidth * es);
  } else {
    formats::tile_codec().decode[kind](page, block, kTileWidth * es);
  }
}

// Encodes a 32x32 block whose valid corner is rows x cols; the rest becomes TT-NN's zero padding.
void encode_page(const TensorDesc& d, int kind, uint8_t* block, int64_t rows, int64_t cols, uint8_t* page) {
  const size_t es = d.host_element_size();
  for (int64_t r = 0; r < kTileWidth; ++r) {
    const int64_t keep = r < rows ? cols : 0;
    std::memset(block + static_cast<size_t>(r * kTileWidth + keep) * es, 0, static_cast<size_t>(kTileWidth - keep) * es);
  }
  if (kind < 0) {
    formats::tilize_tile(block, kTileWidth * es, kTileWidth, kTileWidth, es, page);
  } else {
    formats::tile_codec().encode[kind](block, kTileWidth * es, page);
  }
}

void check_run(const TensorDesc& d, int64_t first, int64_t count) {
  if (first < 0 || count < 0 || first > d.numel() - count) {
    throw std::out_of_range("elements [" + std::to_string(first) + ", " + std::to_string(first + count) +
                            ") are outside a buffer of " + std::to_string(d.numel()));
  }
}

}  // namespace

void decode_range(const TensorDesc& desc, const void* physical, int64_t first, int64_t count, void* logical) {
  desc.validate();
  check_run(desc, first, count);
  if (count == 0) return;
  const auto* in = static_cast<const uint8_t*>(physical);
  auto* out = static_cast<uint8_t*>(logical);
  const size_t es = desc.host_element_size();
  if (desc.layout == Layout::ROW_MAJOR) {
    if (desc.data_type == desc.host_type) {
      std::memcpy(out, in + static_cast<size_t>(first) * es, static_cast<size_t>(count) * es);
    } else {
      formats::tile_codec().f32_from_bf16(reinterpret_cast<const uint16_t*>(in) + first, reinterpret_cast<float*>(out), count);
    }
    return;
  }
  const TileGrid g = grid_of(desc.shape);
  const int kind = tile_kind(desc);
  const size_t page_bytes = desc.page_bytes();
  alignas(64) uint8_t block[kTileElements * 8];
  for_each_touched_tile(g, first, first + count, [&](int64_t t, int64_t s, int64_t ty, int64_t tx) {
    decode_page(desc, kind, in + static_cast<size_t>(t) * page_bytes, block);
    for_each_part_in_run(g, es, s, ty, tx, first, first + count, [&](size_t at, size_t run_at, size_t n) {
      std::memcpy(out + run_at, block + at, n);
    });
  });
}

void encode_range(const TensorDesc& desc, void* physical, int64_t first, int64_t count, const void* logical) {
  desc.validate();
  check_run(desc, first, count);
  if (count == 0) return;
  auto* out = static_cast<uint8_t*>(physical);
  const auto* in = static_cast<const uint8_t*>(logical);
  const size_t es = desc.host_element_size();
  if (desc.layout == Layout::ROW_MAJOR) {
    if (desc.data_type == desc.host_type) {
      std::memcpy(out + static_cast<size_t>(first) * es, in, static_cast<size_t>(count) * es);
    } else {
      formats::tile_codec().bf16_from_f32(reinterpret_cast<const float*>(in), reinterpret_cast<uint16_t*>(out) + first, count);
    }
    return;
  }
  const TileGrid g = grid_of(desc.shape);
  const int kind = tile_kind(desc);
  const size_t page_bytes = desc.page_bytes();
  alignas(64) uint8_t block[kTileElements * 8];
  for_each_touched_tile(g, first, first + count, [&](int64_t t, int64_t s, int64_t ty, int64_t tx) {
    uint8_t* page = out + static_cast<size_t>(t) * page_bytes;
    decode_page(desc, kind, page, block);
    for_each_part_in_run(g, es, s, ty, tx, first, first + count, [&](size_t at, size_t run_at, size_t n) {
      std::memcpy(block + at, in + run_at, n);
    });
    encode_page(desc, kind, block, std::min<int64_t>(kTileWidth, g.height - ty * kTileWidth),
                std::min<int64_t>(kTileWidth, g.width - tx * kTileWidth), page);
  });
}

}  // namespace ttnn_device::runtime
