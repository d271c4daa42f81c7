#include "core/tensor_access.h"

#include <ATen/ATen.h>
#include <ATen/MemoryOverlap.h>

#include "core/transfers.h"

namespace ttnn_device::core {

using runtime::DataType;

bool is_ttnn(const at::Tensor& tensor) {
  return tensor.defined() && tensor.device().type() == c10::DeviceType::PrivateUse1;
}

DeviceBuffer& buffer_of(const at::Tensor& tensor) {
  TORCH_CHECK(is_ttnn(tensor), "expected a ttnn tensor, got one on ", tensor.device());
  void* context = tensor.storage().data_ptr().get_context();
  TORCH_CHECK(context, "this ttnn tensor has no device memory behind it");
  return *static_cast<DeviceBuffer*>(context);
}

NaturalFormat natural_format(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::kFloat: return {DataType::FLOAT32, 0};
    case c10::kBFloat16: return {DataType::BFLOAT16, 0};
    case c10::kInt: return {DataType::INT32, 0};
    case c10::kUInt32: return {DataType::UINT32, 0};
    case c10::kUInt16: return {DataType::UINT16, 0};
    // int16 and bool share TT-NN's UINT16 / UINT8 bit patterns exactly (TT-NN maps them the same way).
    case c10::kShort: return {DataType::UINT16, 0};
    case c10::kByte:
    case c10::kBool: return {DataType::UINT8, 0};
    default: return {DataType::RAW, static_cast<uint32_t>(c10::elementSize(dtype))};
  }
}

namespace {

struct Span {
  int64_t first_element;  // storage offset of the lowest element
  int64_t elements;       // elements from the first to the last, inclusive
};

Span span_of(const at::Tensor& tensor) {
  if (tensor.numel() == 0) return {tensor.storage_offset(), 0};
  int64_t last = 0;
  for (int64_t d = 0; d < tensor.dim(); ++d) last += (tensor.size(d) - 1) * tensor.stride(d);
  return {tensor.storage_offset(), last + 1};
}

// `view` with `like`'s conjugate and negative bits, so that a host view means what the device view means.
at::Tensor with_view_bits(at::Tensor view, const at::Tensor& like) {
  if (like.is_conj()) view = view._conj();
  if (like.is_neg()) view = view._neg_view();
  return view;
}

// A CPU tensor of `span.elements` elements and a view of it matching `like`'s geometry.
std::pair<at::Tensor, at::Tensor> staging_for(const at::Tensor& like, const Span& span) {
  at::Tensor staging = at::empty({span.elements}, like.options().device(c10::kCPU));
  return {staging, with_view_bits(staging.as_strided(like.sizes(), like.strides(), 0), like)};
}

}  // namespace

uint64_t spanned_bytes(const at::Tensor& tensor) {
  return static_cast<uint64_t>(span_of(tensor).elements) * tensor.element_size();
}

at::Tensor mirrored_view(const at::Tensor& device_tensor) {
  if (device_tensor.storage().nbytes() == 0) return {};  // nothing to mirror (and no buffer behind it)
  DeviceBuffer& buffer = buffer_of(device_tensor);
  auto mirror = buffer.host_mirror();
  if (!mirror.bytes) return {};
  if (mirror.created) count_device_to_host(buffer.logical_bytes());
  // One CPU tensor with the device tensor's geometry over the mirror's bytes, made directly (a fallback
  // makes one per operand per call); its storage keeps the mirror alive however long the op holds on.
  using Kept = std::shared_ptr<const uint8_t[]>;
  c10::DataPtr data(const_cast<uint8_t*>(mirror.bytes.get()), new Kept(mirror.bytes),
                    [](void* kept) { delete static_cast<Kept*>(kept); }, c10::Device(c10::kCPU));
  c10::Storage storage(c10::Storage::use_byte_size_t(), buffer.logical_bytes(), std::move(data), /*allocator=*/nullptr,
                       /*resizable=*/false);
  at::Tensor view = at::detail::make_tensor<c10::TensorImpl>(std::move(storage), c10::DispatchKeySet(c10::DispatchKey::CPU),
                                                             device_tensor.dtype());
  view.unsafeGetTensorImpl()->set_sizes_and_strides(device_tensor.sizes(), device_tensor.strides(),
                                                      device_tensor.storage_offset());
  return with_view_bits(std::move(view), device_tensor);
}

at::Tensor host_input(const at::Tensor& tensor) {
  if (!is_ttnn(tensor)) return tensor;
  at::Tensor mirrored = mirrored_view(tensor);
  return mirrored.defined() ? mirrored : tensor.to(c10::kCPU);
}

at::Tensor read_to_host(const at::Tensor& device_tensor) {
  const Span span = span_of(device_tensor);
  auto [staging, view] = staging_for(device_tensor, span);
  if (span.elements > 0) {
    const uint64_t itemsize = device_tensor.element_size();
    buffer_of(device_tensor).read(span.first_element * itemsize, span.elements * itemsize, staging.data_ptr());
  }
  return view;
}

void write_from_host(const at::Tensor& device_view, const at::Tensor& values) {
  const Span span = span_of(device_view);
  if (span.elements == 0) return;
  auto [staging, view] = staging_for(device_view, span);
  DeviceBuffer& buffer = buffer_of(device_view);
  const uint64_t itemsize = device_view.element_size();
  const uint64_t offset = span.first_element * itemsize;
  const uint64_t bytes = span.elements * itemsize;
  // A view that covers every byte it spans (contiguous in some order) is written whole; anything with
  // gaps is read first so that the elements between its own keep their values.
  const bool covers_span = span.elements == device_view.numel();
  if (!covers_span) buffer.read(offset, bytes, staging.data_ptr());
  view.copy_(values);
  buffer.write(offset, bytes, staging.data_ptr());
}

}  // namespace ttnn_device::core
