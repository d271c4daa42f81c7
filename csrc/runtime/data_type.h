// TT-NN's data types and layouts, named as TT-NN names them. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ttnn_device::runtime {

// Physical element formats. RAW is ours: bytes kept verbatim for torch dtypes TT-NN has no format for
// (float64, int64, complex, ...), so that every dtype round-trips bit-exactly.
enum class DataType : uint8_t {
  BFLOAT16,
  FLOAT32,
  INT32,
  UINT32,
  UINT16,
  UINT8,
  BFLOAT8_B,
  BFLOAT4_B,
  RAW,
};

enum class Layout : uint8_t { ROW_MAJOR, TILE };

constexpr int64_t kTileHeight = 32;
constexpr int64_t kTileWidth = 32;
constexpr int64_t kFaceHeight = 16;
constexpr int64_t kFaceWidth = 16;
constexpr int64_t kTileElements = kTileHeight * kTileWidth;

const char* to_string(DataType type);
const char* to_string(Layout layout);
// Parses "FLOAT32", "bfloat8_b", ... (case-insensitive); throws std::invalid_argument otherwise.
DataType parse_data_type(const std::string& name);
Layout parse_layout(const std::string& name);

bool is_block_float(DataType type);
// Bytes per element; throws std::invalid_argument for block floats (they have no per-element size) and RAW.
size_t element_size(DataType type);

}  // namespace ttnn_device::runtime
