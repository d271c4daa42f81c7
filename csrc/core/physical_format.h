// Inspecting and choosing the TT-NN physical format of the storage behind a ttnn tensor.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace ttnn_device::core {

struct PhysicalFormat {
  std::string layout;
  std::string data_type;
  std::vector<int64_t> shape;
  std::vector<int64_t> padded_shape;
  uint64_t physical_bytes;
  uint64_t logical_bytes;
};

PhysicalFormat physical_format_of(const at::Tensor& tensor);
// Converts the whole storage of `tensor` (every view of it sees the change) to `layout` ("TILE" or
// "ROW_MAJOR") and `data_type` (a TT-NN data type name such as "BFLOAT8_B"). Lossy formats change the
// values, as they do in TT-NN.
void set_physical_format(const at::Tensor& tensor, const std::string& layout, const std::string& data_type);

// Gives a fresh storage its element type and, if TTNN_DEVICE_LAYOUT=TILE, the TILE layout (natural data
// type, lossless). ROW_MAJOR (the default) keeps the bytes as torch lays them out.
void format_new_storage(const at::Tensor& tensor);

}  // namespace ttnn_device::core
