#include "core/physical_format.h"

#include "core/tensor_access.h"

namespace ttnn_device::core {

using runtime::DataType;

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
  const int64_t elements = static_cast<int64_t>(buffer.logical_bytes() / tensor.element_size());
  // A tensor that is its whole storage, contiguous, gives the buffer its shape (so tiles follow its last
  // two dims, as in TT-NN); any other storage is laid out as one flat run of elements.
  if (tensor.is_contiguous() && tensor.storage_offset() == 0 && tensor.numel() == elements && tensor.dim() > 0) {
    desc.shape.assign(tensor.sizes().begin(), tensor.sizes().end());
  } else {
    desc.shape = {elements};
  }
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
