#include "ops/sim/host.h"

#include <ATen/ATen.h>

#include "ops/numerics.h"
#include "ops/op_table.h"

namespace ttnn_device::ops::sim {

c10::ScalarType compute_type(DataType host_type) {
  switch (host_type) {
    case DataType::FLOAT32: return c10::kFloat;
    case DataType::BFLOAT16: return c10::kBFloat16;
    case DataType::INT32: return c10::kInt;
    case DataType::UINT32: return c10::kUInt32;
    case DataType::UINT16: return c10::kUInt16;
    case DataType::UINT8: return c10::kByte;
    default: break;
  }
  TORCH_CHECK(false, "the reference device has no element type for ", runtime::to_string(host_type));
}

at::Tensor read(const TtTensor& tensor) {
  const auto options = at::TensorOptions().dtype(compute_type(tensor.host_type)).device(c10::kCPU);
  core::DeviceBuffer* buffer = tensor.buffer();
  if (!buffer || tensor.numel() == 0) return at::empty(tensor.shape, options);
  if (buffer->holds_logical_bytes()) {
    if (void* bytes = buffer->host_bytes()) return at::from_blob(bytes, tensor.shape, options);
  }
  at::Tensor staging = at::empty(tensor.shape, options);
  buffer->read(0, staging.nbytes(), staging.data_ptr());
  return staging;
}

at::Tensor read_operand(const Args& args, const char* name) {
  const Value* v = args.find(name);
  TORCH_CHECK(v, "vocabulary call without operand ", name);
  if (const auto* t = std::get_if<TtTensor>(v)) return read(*t);
  return at::scalar_tensor(args.number(name), at::kDouble);
}

Output::Output(c10::Device device, const Shape& shape, Layout layout, DataType dtype)
    : tensor_(allocate(device, shape, layout, dtype, host_type_for(dtype))) {
  const auto options = at::TensorOptions().dtype(compute_type(tensor_.host_type)).device(c10::kCPU);
  core::DeviceBuffer* buffer = tensor_.buffer();
  direct_ = buffer && buffer->holds_logical_bytes() && buffer->host_bytes();
  values_ = direct_ ? at::from_blob(buffer->host_bytes(), shape, options) : at::empty(shape, options);
}

TtTensor Output::finish() {
  if (numerics() == Numerics::kTt) finish_numerics(values_);
  if (core::DeviceBuffer* buffer = tensor_.buffer()) {
    if (direct_) {
      buffer->contents_changed();
    } else {
      at::Tensor dense = values_.contiguous();
      buffer->write(0, dense.nbytes(), dense.data_ptr());
    }
  }
  return tensor_;
}

TtTensor Output::finish_with(const at::Tensor& result) {
  values_.copy_(result);
  return finish();
}

Layout output_layout(const char* op, Layout input) {
  switch (op_spec(op).output_layout) {
    case OutputLayout::kTile: return Layout::TILE;
    case OutputLayout::kRowMajor: return Layout::ROW_MAJOR;
    case OutputLayout::kInput: break;
  }
  return input;
}

DataType output_dtype(const Args& args, DataType input) { return args.data_type("dtype").value_or(input); }

namespace {
// Denormals (exponent bits 0, mantissa not 0) become +0; zeros keep their sign. Branch-free so that the
// compiler vectorises it: results such as relu's are half zeros, and a branch per element mispredicts.
template <typename Bits, Bits kExponent, Bits kMantissa>
void flush_denormals(Bits* bits, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const Bits b = bits[i];
    const bool denormal = ((b & kExponent) == 0) & ((b & kMantissa) != 0);
    bits[i] = denormal ? Bits(0) : b;
  }
}
}  // namespace

void finish_numerics(at::Tensor& values) {
  // As the card's FPU/SFPU and packer give them.
  if (values.numel() == 0 || !values.is_contiguous()) return;
  if (values.scalar_type() == c10::kFloat) {
    flush_denormals<uint32_t, 0x7F800000u, 0x007FFFFFu>(static_cast<uint32_t*>(values.data_ptr()), values.numel());
  } else if (values.scalar_type() == c10::kBFloat16) {
    flush_denormals<uint16_t, 0x7F80u, 0x007Fu>(static_cast<uint16_t*>(values.data_ptr()), values.numel());
  }
}

TtTensor store(const at::Tensor& result, c10::Device device, Layout layout, DataType dtype) {
  Output out(device, Shape(result.sizes().begin(), result.sizes().end()), layout, dtype);
  return out.finish_with(result);
}

}  // namespace ttnn_device::ops::sim
