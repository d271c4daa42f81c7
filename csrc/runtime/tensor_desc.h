// The physical description of one device buffer: TT-NN's tensor spec minus memory placement. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/data_type.h"
#include "runtime/shape.h"

namespace ttnn_device::runtime {

struct TensorDesc {
  // Logical shape of the buffer's elements, in row-major order (a torch storage's elements, linearly).
  Shape shape;
  Layout layout = Layout::ROW_MAJOR;
  // Physical format of the bytes on the device.
  DataType data_type = DataType::RAW;
  // Format of the elements torch sees (never a block float). When data_type != host_type the buffer holds
  // a lossy encoding (FLOAT32 -> BFLOAT16 / BFLOAT8_B / BFLOAT4_B, BFLOAT16 -> BFLOAT8_B / BFLOAT4_B).
  DataType host_type = DataType::RAW;
  // Bytes per element when host_type is RAW.
  uint32_t raw_element_size = 1;

  int64_t numel() const;
  // TT-NN's padded shape: ROW_MAJOR == shape (rank 0 -> [1], as TT-NN reports it); TILE pads the last two
  // dims to 32 (rank 0/1 promoted to 2; a zero-size dim stays 0).
  Shape padded_shape() const;
  size_t host_element_size() const;
  size_t logical_bytes() const;   // numel * host element size: what torch sees
  size_t page_bytes() const;      // one tile (TILE) or one row of the last dim (ROW_MAJOR)
  int64_t num_pages() const;
  size_t physical_bytes() const;  // page_bytes * num_pages: what the device buffer holds
  // Throws std::invalid_argument when the combination is not one TT-NN supports
  // (BFP in ROW_MAJOR, RAW in TILE, an unsupported host_type -> data_type encoding).
  void validate() const;
};

// Logical row-major elements of desc.host_type -> physical bytes of desc (tilized, packed; padding 0).
void encode(const TensorDesc& desc, const void* logical, void* physical);
// encode() as the card's packer writes an op's results, denormals (exponent bits 0, mantissa not 0)
// flushed to +0 on the way, in the same pass. Only for the formats can_encode_flushing() accepts: TILE
// FLOAT32 and BFLOAT16 held verbatim.
bool can_encode_flushing(const TensorDesc& desc);
void encode_flushing(const TensorDesc& desc, const void* logical, void* physical);
// Physical bytes -> logical row-major elements of desc.host_type.
void decode(const TensorDesc& desc, const void* physical, void* logical);

// The logical elements [first, first + count) alone, for converted formats (TILE, or ROW_MAJOR with a
// lossy data type): only the tiles (or row-major elements) they fall in are read, and written back
// re-encoded, so an .item() or a slice update of a large storage costs its tiles, not the storage.
// Re-encoding a decoded tile gives the same page (block floats and bfloat16 are idempotent), so the
// untouched elements of those tiles keep their values. `logical` holds count elements.
void decode_range(const TensorDesc& desc, const void* physical, int64_t first, int64_t count, void* logical);
void encode_range(const TensorDesc& desc, void* physical, int64_t first, int64_t count, const void* logical);

}  // namespace ttnn_device::runtime
