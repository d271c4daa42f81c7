// A TT-NN tensor as the op vocabulary sees it: one whole device buffer with a logical shape, a layout and
// a data type. No strides and no storage offset: torch views are turned into TT tensors by the aten layer.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <c10/core/Storage.h>

#include "core/device_buffer.h"
#include "runtime/tensor_desc.h"

namespace ttnn_device::ops {

using runtime::DataType;
using runtime::Layout;
using runtime::Shape;

struct TtTensor {
  c10::Storage storage;  // owns the device buffer (empty for a tensor of no elements)
  Shape shape;
  Layout layout = Layout::ROW_MAJOR;
  DataType dtype = DataType::FLOAT32;      // TT-NN's data type of the stored elements
  DataType host_type = DataType::FLOAT32;  // what the elements read as (FLOAT32 for block floats)

  int64_t numel() const;
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  c10::Device device() const { return storage.device(); }
  core::DeviceBuffer* buffer() const;  // nullptr when there are no elements
};

int64_t numel_of(const Shape& shape);
// The TT tensor of a whole storage in its current physical format, read with `shape` (same element count).
TtTensor whole_storage(const c10::Storage& storage, const Shape& shape);
// The buffer format a new tensor of that shape, layout and data types gets (rank 0 is stored as [1]).
runtime::TensorDesc desc_for(const Shape& shape, Layout layout, DataType dtype, DataType host_type);
// A new tensor whose contents are not yet written, on `device`, in the given format.
TtTensor allocate(c10::Device device, const Shape& shape, Layout layout, DataType dtype, DataType host_type);
// The element type torch reads a TT data type as (block floats read as FLOAT32).
DataType host_type_for(DataType dtype);
// The torch dtype of a host type (the elements torch sees); throws for RAW and block floats.
c10::ScalarType torch_type(DataType host_type);
// Bytes per element torch sees for a host type.
size_t host_element_size(DataType host_type);
std::string describe(const TtTensor& tensor);  // "TILE FLOAT32 [2, 3]", for messages

}  // namespace ttnn_device::ops
