#include "core/physical_format.h"


#include "core/tensor_access.h"
#include "runtime/config.h"

namespace ttnn_device::core {

using runtime::DataType;

namespace {

runtime::Layout default_layout() {
  static const runtime::Layout layout = [] {
    return runtime::parse_layout(runtime::config::choice("TTNN_DEVICE_LAYOUT", {"ROW_MAJOR", "TILE"}, "ROW_MAJOR"));
  }();
  return layout;
}

// The shape a storage is laid out with: a contiguous tensor that is its whole storage gives its own
// shape (tiles then follow its last two dims, as in TT-NN); any other storage is one flat run.
runtime::Shape storage_shape(const at::Tensor& tensor, int64_t elements) {
  if (tensor.is_contiguous() && tensor.storage_offset() == 0 && tensor.numel() == elements && tensor.dim() > 0) {
    return runtime::Shape(tensor.sizes().begin(), tensor.sizes().end());
  }
  return {elements};
}

}  // namespace

void format_new_storage(const at::Tensor& tensor) {
  if (tensor.storage().nbytes() == 0) return;
  DeviceBuffer& buffer = buffer_of(tensor);
  const auto natural = natural_format(tensor.scalar_type());
  const int64_t elements = static_cast<int64_t>(buffer.logical_bytes() / tensor.element_size());
  const runtime::Shape shape = storage_shape(tensor, elements);
  buffer.set_element_type(natural.type, natural.raw_element_size, shape);
  if (default_layout() == runtime::Layout::TILE && natural.type != DataType::RAW) {
    TensorDesc desc = buffer.desc();
    desc.layout = runtime::Layout::TILE;
    buffer.relayout(desc);
  }
}

PhysicalFormat physical_format_of(const at::Tensor& tensor) {
  const DeviceBuffer& buffer = buffer_of(tensor);
  const auto desc = buffer.desc();
  return PhysicalFormat{runtime::to_string(desc.layout), runtime::to_string(desc.data_type), desc.shape,
                        desc.padded_shape(), desc.physical_bytes(), buffer.logical_bytes()};
}

void set_physical_format(const at::Tensor& tensor, const std::string& layout, const std::string& data_type) {
  DeviceBuffer& buffer = buffer_of(tensor);
  const auto natural = natural_format(tensor.scalar_type());
  TensorDesc desc;
  try {
    desc.layout = runtime::parse_layout(layout);
    desc.data_type = runtime::parse_data_type(data_type);
  } catch (const std::exception& e) {
    TORCH_CHECK_VALUE(false, e.what());
  }
  desc.host_type = natural.type;
  desc.raw_element_size = natural.raw_element_size;
  desc.shape = storage_shape(tensor, static_cast<int64_t>(buffer.logical_bytes() / tensor.element_size()));
  try {
    buffer.relayout(desc);
  } catch (const c10::Error&) {
    throw;
  } catch (const std::exception& e) {
    TORCH_CHECK_VALUE(false, "cannot store this ", tensor.scalar_type(), " tensor as ", layout, " ", data_type, ": ",
                      e.what());
  }
}

}  // namespace ttnn_device::core
