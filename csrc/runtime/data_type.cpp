#include "runtime/data_type.h"

#include <cctype>
#include <stdexcept>

namespace ttnn_device::runtime {

namespace {

// Upper-cases ASCII so that "bfloat8_b", "BFLOAT8_B" and ttnn's repr "DataType.BFLOAT8_B" all parse.
std::string canonical(const std::string& name) {
  std::string out = name;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* prefix : {"TTNN.", "DATATYPE.", "LAYOUT."}) {
    const std::string p(prefix);
    if (out.compare(0, p.size(), p) == 0) out.erase(0, p.size());
  }
  return out;
}

}  // namespace

const char* to_string(DataType type) {
  switch (type) {
    case DataType::BFLOAT16: return "BFLOAT16";
    case DataType::FLOAT32: return "FLOAT32";
    case DataType::INT32: return "INT32";
    case DataType::UINT32: return "UINT32";
    case DataType::UINT16: return "UINT16";
    case DataType::UINT8: return "UINT8";
    case DataType::BFLOAT8_B: return "BFLOAT8_B";
    case DataType::BFLOAT4_B: return "BFLOAT4_B";
    case DataType::RAW: return "RAW";
  }
  return "UNKNOWN";
}

const char* to_string(Layout layout) {
  switch (layout) {
    case Layout::ROW_MAJOR: return "ROW_MAJOR";
    case Layout::TILE: return "TILE";
  }
  return "UNKNOWN";
}

DataType parse_data_type(const std::string& name) {
  const std::string n = canonical(name);
  for (DataType t : {DataType::BFLOAT16, DataType::FLOAT32, DataType::INT32, DataType::UINT32, DataType::UINT16,
                     DataType::UINT8, DataType::BFLOAT8_B, DataType::BFLOAT4_B, DataType::RAW}) {
    if (n == to_string(t)) return t;
  }
  throw std::invalid_argument("unknown TT-NN data type '" + name +
                              "' (expected BFLOAT16, FLOAT32, INT32, UINT32, UINT16, UINT8, BFLOAT8_B, BFLOAT4_B or RAW)");
}

Layout parse_layout(const std::string& name) {
  const std::string n = canonical(name);
  // ttnn spells the layout constants TILE_LAYOUT / ROW_MAJOR_LAYOUT; accept both spellings.
  if (n == "ROW_MAJOR" || n == "ROW_MAJOR_LAYOUT") return Layout::ROW_MAJOR;
  if (n == "TILE" || n == "TILE_LAYOUT") return Layout::TILE;
  throw std::invalid_argument("unknown TT-NN layout '" + name + "' (expected ROW_MAJOR or TILE)");
}

bool is_block_float(DataType type) { return type == DataType::BFLOAT8_B || type == DataType::BFLOAT4_B; }

size_t element_size(DataType type) {
  switch (type) {
    case DataType::BFLOAT16:
    case DataType::UINT16: return 2;
    case DataType::FLOAT32:
    case DataType::INT32:
    case DataType::UINT32: return 4;
    case DataType::UINT8: return 1;
    case DataType::BFLOAT8_B:
    case DataType::BFLOAT4_B:
      // Block floats share one exponent per 16 elements, so only whole tiles have a size (see page_bytes).
      throw std::invalid_argument(std::string(to_string(type)) + " has no per-element size (block float)");
    case DataType::RAW:
      throw std::invalid_argument("RAW has no fixed element size (see TensorDesc::raw_element_size)");
  }
  throw std::invalid_argument("invalid DataType");
}

}  // namespace ttnn_device::runtime
