#include "ops/tt_tensor.h"

#include <c10/util/Exception.h>

#include <sstream>
#include <stdexcept>

#include "core/caching_allocator.h"

namespace ttnn_device::ops {

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t TtTensor::numel() const { return numel_of(shape); }

core::DeviceBuffer* TtTensor::buffer() const {
  if (!storage || storage.nbytes() == 0) return nullptr;
  return static_cast<core::DeviceBuffer*>(storage.data_ptr().get_context());
}

DataType host_type_for(DataType dtype) {
  return runtime::is_block_float(dtype) ? DataType::FLOAT32 : dtype;
}

c10::ScalarType torch_type(DataType host_type) {
  switch (host_type) {
    case DataType::FLOAT32: return c10::kFloat;
    case DataType::BFLOAT16: return c10::kBFloat16;
    case DataType::INT32: return c10::kInt;
    case DataType::UINT32: return c10::kUInt32;
    case DataType::UINT16: return c10::kUInt16;
    case DataType::UINT8: return c10::kByte;
    default: break;
  }
  TORCH_CHECK(false, "no torch dtype holds TT data type ", runtime::to_string(host_type), " elements");
}

size_t host_element_size(DataType host_type) { return runtime::element_size(host_type); }

runtime::TensorDesc desc_for(const Shape& shape, Layout layout, DataType dtype, DataType host_type) {
  runtime::TensorDesc desc;
  desc.shape = shape.empty() ? Shape{1} : shape;
  desc.layout = layout;
  desc.data_type = dtype;
  desc.host_type = host_type;
  return desc;
}

TtTensor whole_storage(const c10::Storage& storage, const Shape& shape) {
  TtTensor t;
  t.storage = storage;
  t.shape = shape;
  if (core::DeviceBuffer* buffer = t.buffer()) {
    const auto desc = buffer->desc();
    t.layout = desc.layout;
    t.dtype = desc.data_type;
    t.host_type = desc.host_type;
  }
  return t;
}

TtTensor allocate(c10::Device device, const Shape& shape, Layout layout, DataType dtype, DataType host_type) {
  TtTensor t;
  t.shape = shape;
  t.layout = layout;
  t.dtype = dtype;
  t.host_type = host_type;
  const int64_t n = numel_of(shape);
  const size_t bytes = static_cast<size_t>(n) * host_element_size(host_type);
  core::CachingAllocator& allocator = core::caching_allocator();
  c10::DataPtr data = allocator.allocate_formatted(device.index(), bytes, desc_for(shape, layout, dtype, host_type));
  t.storage = c10::Storage(c10::Storage::use_byte_size_t(), bytes, std::move(data), &allocator, /*resizable=*/true);
  return t;
}

std::string describe(const TtTensor& tensor) {
  std::ostringstream out;
  out << runtime::to_string(tensor.layout) << " " << runtime::to_string(tensor.dtype) << " [";
  for (size_t i = 0; i < tensor.shape.size(); ++i) out << (i ? ", " : "") << tensor.shape[i];
  out << "]";
  return out.str();
}

}  // namespace ttnn_device::ops
