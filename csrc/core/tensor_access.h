// Reading and writing the elements of a ttnn tensor (any view of any storage) from the host side.
// Views are logical: a view's elements are found through its sizes, strides and storage offset over the
// storage's logical bytes, whatever the physical format of the buffer behind it.
#pragma once

#include <ATen/core/Tensor.h>

#include <runtime/data_type.h>

#include "core/device_buffer.h"

namespace ttnn_device::core {

bool is_ttnn(const at::Tensor& tensor);
DeviceBuffer& buffer_of(const at::Tensor& tensor);

// The element format a torch dtype is kept in on the device when nothing asks for another.
struct NaturalFormat {
  runtime::DataType type;
  uint32_t raw_element_size;  // for RAW
};
NaturalFormat natural_format(c10::ScalarType dtype);

// A CPU tensor with the same sizes, strides, dtype and conj/neg bits as `device_tensor`, holding a copy of
// its elements (over a host copy of just the storage bytes it spans).
at::Tensor read_to_host(const at::Tensor& device_tensor);
// Writes `values` (a CPU tensor of the same sizes; any dtype, converted as copy_ does) into the elements
// of `device_view`, leaving the rest of its storage unchanged.
void write_from_host(const at::Tensor& device_view, const at::Tensor& values);
// A CPU tensor viewing the device tensor's host mirror (DeviceBuffer::host_mirror), for ops that only
// read it on the CPU; undefined when the storage has no mirror. Must not be written.
at::Tensor mirrored_view(const at::Tensor& device_tensor);
// The values of a ttnn tensor as a CPU tensor that will only be read: its host mirror when the storage
// has one, else a copy (a counted transfer). CPU tensors pass through.
at::Tensor host_input(const at::Tensor& tensor);
// Bytes of the storage a view spans: [first, last element] * itemsize.
uint64_t spanned_bytes(const at::Tensor& tensor);

}  // namespace ttnn_device::core
