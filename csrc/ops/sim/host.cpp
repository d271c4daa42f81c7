#include "ops/sim/host.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>

#include "ops/numerics.h"
#include "ops/op_table.h"
#include "ops/sim/isa_variants.h"
#include "ops/sim/staging.h"
#include "runtime/tensor_desc.h"

namespace ttnn_device::ops::sim {

c10::ScalarType compute_type(DataType host_type) { return torch_type(host_type); }

at::Tensor read(const TtTensor& tensor) {
  const auto options = at::TensorOptions().dtype(compute_type(tensor.host_type)).device(c10::kCPU);
  core::DeviceBuffer* buffer = tensor.buffer();
  if (!buffer || tensor.numel() == 0) return at::empty(tensor.shape, options);
  if (buffer->holds_logical_bytes()) {
    if (void* bytes = buffer->host_bytes()) return at::from_blob(bytes, tensor.shape, options);
  }
  at::Tensor staging = staging_empty(tensor.shape, options.dtype().toScalarType());
  buffer->read(0, staging.nbytes(), staging.data_ptr());
  return staging;
}

at::Tensor read_operand(const Args& args, const char* name) {
  const Value* v = args.find(name);
  TORCH_CHECK(v, "vocabulary call without operand ", name);
  if (const auto* t = std::get_if<TtTensor>(v)) return read(*t);
  return at::scalar_tensor(args.number(name), at::kDouble);
}

namespace {
Shape at_least_2d(Shape shape) {
  while (shape.size() < 2) shape.insert(shape.begin(), 1);
  return shape;
}

// Whole physical buffer as a flat tensor of its elements (plain formats only).
at::Tensor physical_elements(const TtTensor& tensor) {
  core::DeviceBuffer* buffer = tensor.buffer();
  const auto type = compute_type(tensor.host_type);
  const int64_t n = static_cast<int64_t>(buffer->physical_bytes() / c10::elementSize(type));
  return at::from_blob(buffer->host_bytes(), {n}, at::TensorOptions().dtype(type).device(c10::kCPU));
}
}  // namespace

std::optional<at::Tensor> tile_view(const TtTensor& tensor) {
  if (tensor.dtype != tensor.host_type || tensor.numel() == 0) return std::nullopt;
  core::DeviceBuffer* buffer = tensor.buffer();
  if (!buffer || !buffer->host_bytes()) return std::nullopt;
  const Shape shape = at_least_2d(tensor.shape);
  const int64_t outer = static_cast<int64_t>(shape.size()) - 2;
  const int64_t height = shape[outer], width = shape[outer + 1];
  const int64_t tiles_high = (height + 31) / 32, tiles_wide = (width + 31) / 32;
  std::vector<int64_t> tile_strides;
  int64_t slice_elements = 0;
  if (tensor.layout == Layout::TILE) {
    // A free reshape may have changed only the outer dims: the tiles still follow the shape.
    if (!buffer->arranged_as(tensor.shape, Layout::TILE, tensor.dtype)) return std::nullopt;
    tile_strides = {tiles_wide * 1024, 512, 16, 1024, 256, 1};
    slice_elements = tiles_high * tiles_wide * 1024;
  } else {
    // Row-major elements seen as tiles: exact where no tile would need padding (or a dim broadcasts).
    if (!buffer->holds_logical_bytes() || (height % 32 != 0 && height != 1) || (width % 32 != 0 && width != 1)) {
      return std::nullopt;
    }
    tile_strides = {32 * width, 16 * width, width, 32, 16, 1};
    slice_elements = height * width;
  }
  std::vector<int64_t> sizes(shape.begin(), shape.begin() + outer), strides(outer);
  int64_t stride = slice_elements;
  for (int64_t d = outer - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d];
  }
  const std::initializer_list<int64_t> tile_sizes = {tiles_high, 2, 16, tiles_wide, 2, 16};
  sizes.insert(sizes.end(), tile_sizes);
  strides.insert(strides.end(), tile_strides.begin(), tile_strides.end());
  // A dim of size 1 keeps only its first row or column (its sizes are 1, so its strides never apply).
  for (int64_t d = 0; d < 3; ++d) {
    if (height == 1) sizes[outer + d] = 1;
    if (width == 1) sizes[outer + 3 + d] = 1;
  }
  const auto options = at::TensorOptions().dtype(compute_type(tensor.host_type)).device(c10::kCPU);
  return at::from_blob(buffer->host_bytes(), sizes, strides, options);
}

std::optional<TileOperands> tile_operands(const Args& args, std::initializer_list<const char*> names) {
  TileOperands operands;
  std::vector<int64_t> shape;
  for (const char* name : names) {
    const Value* v = args.find(name);
    if (!v) continue;
    if (const auto* t = std::get_if<TtTensor>(v)) {
      auto view = tile_view(*t);
      if (!view) return std::nullopt;
      operands.views.push_back(*view);
      shape = at::infer_size(shape, t->shape);
    } else {
      operands.views.push_back(at::scalar_tensor(args.number(name), at::kDouble));
    }
  }
  operands.shape = Shape(shape.begin(), shape.end());
  return operands;
}

std::optional<TtTensor> on_stored_elements(const TtTensor& input, Layout layout, DataType dtype, const Args& args,
                                           StoredCompute compute) {
  if (dtype != DataType::FLOAT32 || input.dtype != DataType::FLOAT32 || input.host_type != DataType::FLOAT32 ||
      input.layout != layout || input.numel() == 0) {
    return std::nullopt;
  }
  core::DeviceBuffer* buffer = input.buffer();
  if (!buffer || !buffer->host_bytes() || !buffer->arranged_as(input.shape, layout, DataType::FLOAT32)) return std::nullopt;
  TtTensor out = allocate(input.device(), input.shape, layout, DataType::FLOAT32, DataType::FLOAT32);
  core::DeviceBuffer* out_buffer = out.buffer();
  if (!out_buffer || !out_buffer->host_bytes() || out_buffer->physical_bytes() != buffer->physical_bytes()) {
    return std::nullopt;
  }
  at::Tensor out_elements = physical_elements(out);
  compute(out_elements, physical_elements(input), args);
  if (numerics() == Numerics::kTt) finish_numerics(out_elements);
  out_buffer->contents_changed();
  return out;
}

Output::Output(c10::Device device, const Shape& shape, Layout layout, DataType dtype, bool in_tiles)
    : tensor_(allocate(device, shape, layout, dtype, host_type_for(dtype))) {
  if (in_tiles) {
    if (auto tiles = tile_view(tensor_)) {
      tiles_ = *tiles;
      return;
    }
  }
  core::DeviceBuffer* buffer = tensor_.buffer();
  direct_ = buffer && buffer->holds_logical_bytes() && buffer->host_bytes();
  if (direct_) values_ = at::from_blob(buffer->host_bytes(), shape, options());
}

at::TensorOptions Output::options() const {
  return at::TensorOptions().dtype(compute_type(tensor_.host_type)).device(c10::kCPU);
}

at::Tensor& Output::values() {
  if (!values_.defined()) values_ = staging_empty(tensor_.shape, compute_type(tensor_.host_type));  // encoded by finish()
  return values_;
}

void Output::flush_physical() {
  if (numerics() != Numerics::kTt) return;
  at::Tensor elements = physical_elements(tensor_);  // padding too: it holds what the math gave there
  finish_numerics(elements);
}

bool Output::encode_flushing(const at::Tensor& values) {
  core::DeviceBuffer* buffer = tensor_.buffer();
  if (numerics() != Numerics::kTt || !buffer || !buffer->host_bytes()) return false;
  const runtime::TensorDesc desc = buffer->desc();
  if (!runtime::can_encode_flushing(desc)) return false;
  runtime::encode_flushing(desc, values.data_ptr(), buffer->host_bytes());
  buffer->contents_changed();
  return true;
}

TtTensor Output::finish() {
  core::DeviceBuffer* buffer = tensor_.buffer();
  if (!buffer) return tensor_;
  if (in_tiles()) {
    flush_physical();
    buffer->contents_changed();
    return tensor_;
  }
  at::Tensor& v = values();
  if (direct_) {
    if (numerics() == Numerics::kTt) finish_numerics(v);
    buffer->contents_changed();
    return tensor_;
  }
  at::Tensor dense = v.contiguous();
  if (encode_flushing(dense)) return tensor_;
  if (numerics() == Numerics::kTt) finish_numerics(dense);
  buffer->write(0, dense.nbytes(), dense.data_ptr());
  return tensor_;
}

TtTensor Output::finish_moved() {
  TORCH_CHECK(in_tiles(), "finish_moved: the output was not written through its tiles");
  if (core::DeviceBuffer* buffer = tensor_.buffer()) buffer->contents_changed();
  return tensor_;
}

TtTensor Output::finish_with(const at::Tensor& result) {
  if (in_tiles()) {
    tiles_.copy_(result);
    return finish();
  }
  core::DeviceBuffer* buffer = tensor_.buffer();
  const bool plain = tensor_.dtype == tensor_.host_type && buffer && buffer->host_bytes();
  if (!direct_ && !values_.defined() && plain && result.is_contiguous() &&
      result.scalar_type() == compute_type(tensor_.host_type) && result.sizes() == c10::IntArrayRef(tensor_.shape)) {
    // Encoded straight from the result (no staging copy); denormals are flushed as it is encoded, or
    // in the stored elements, which for a plain format is the same as flushing before encoding.
    if (encode_flushing(result)) return tensor_;
    buffer->write(0, result.nbytes(), result.data_ptr());
    flush_physical();
    return tensor_;
  }
  values().copy_(result);
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
// Denormals (exponent bits 0, mantissa not 0) become +0; zeros keep their sign. Denormal results are rare,
// so each block of values is first scanned (a vectorised OR, reading only) and rewritten only when it
// holds one: the pass costs a read of the output, not a read and a write-back of every cache line.
template <typename Bits, Bits kExponent, Bits kMantissa>
[[gnu::always_inline]] inline void flush_blocks(Bits* bits, int64_t n, int64_t first, int64_t last) {
  constexpr int64_t kBlock = 512;
  for (int64_t block = first; block < last; ++block) {
    Bits* b = bits + block * kBlock;
    const int64_t count = std::min<int64_t>(kBlock, n - block * kBlock);
    Bits found = 0;
    for (int64_t i = 0; i < count; ++i) {
      found |= Bits(((b[i] & kExponent) == 0) & ((b[i] & kMantissa) != 0));
    }
    if (!found) continue;
    for (int64_t i = 0; i < count; ++i) {
      const bool denormal = ((b[i] & kExponent) == 0) & ((b[i] & kMantissa) != 0);
      b[i] = denormal ? Bits(0) : b[i];
    }
  }
}

template <typename Bits, Bits kExponent, Bits kMantissa>
struct FlushKernel {
  [[gnu::always_inline]] static void run(Bits* bits, int64_t n, int64_t first, int64_t last) {
    flush_blocks<Bits, kExponent, kMantissa>(bits, n, first, last);
  }
};

// The scan built for the CPU's widest vectors, chosen once.
template <typename Bits, Bits kExponent, Bits kMantissa>
void flush_denormals(Bits* bits, int64_t n) {
  static const auto fn = widest<FlushKernel<Bits, kExponent, kMantissa>, Bits*, int64_t, int64_t, int64_t>();
  const int64_t blocks = (n + 511) / 512;
  if (blocks <= 64) return fn(bits, n, 0, blocks);  // small outputs: no task machinery
  at::parallel_for(0, blocks, 64, [&](int64_t first, int64_t last) { fn(bits, n, first, last); });
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
