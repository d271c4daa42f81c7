// int64 elementwise math through TT-NN's INT32 ops: each int64 element is its two 32-bit words (the
// bytes of the storage read as INT32 pairs), so additions carry and comparisons order across words
// exactly, for every int64 value, with no host round trip. Token ids, positions and masks in PyTorch
// are int64; this keeps their arithmetic on the device.
#pragma once

#include <ATen/ATen.h>

#include <optional>

#include "aten/tt_view.h"

namespace ttnn_device::aten {

// True for the ops this module computes: add, subtract, multiply, divide (floor or trunc rounding),
// remainder, fmod, maximum, minimum, eq, ne, lt, le, gt, ge, bitwise_and/or/xor.
bool int64_supports(const char* ttnn_op);
// `a op b` where torch promotes to int64 (either side may be a CPU 0-d number or a narrower integer
// tensor); arithmetic results are int64 (wrapping as int64 does), comparisons bool. Declines what it cannot do exactly.
at::Tensor int64_binary(const char* ttnn_op, const at::Tensor& a, const at::Tensor& b, const std::optional<at::Scalar>& alpha,
                        std::optional<c10::string_view> rounding_mode = std::nullopt);
// Integer-valued FLOAT32 numbers (TT tensor of `sizes`) as an int64 tensor, exact for every int64 value.
at::Tensor int64_from_integral_floats(const TtTensor& values, c10::IntArrayRef sizes);

// True for the unary ops int64_unary computes: neg, abs.
bool int64_unary_supports(const char* ttnn_op);
at::Tensor int64_unary(const char* ttnn_op, const at::Tensor& x);
// where(condition, a, b) with int64 values (either may be a CPU 0-d number), bit for bit.
at::Tensor int64_where(const at::Tensor& condition, const at::Tensor& a, const at::Tensor& b);

// ~x of an int64 tensor (each word inverted).
at::Tensor int64_bitwise_not(const at::Tensor& x);
// cumsum along `dim` of an integer tensor (int64, int32, uint8, bool) as int64, exact for every int64
// result (wrapping as int64 does) along dims of up to 32768 elements.
at::Tensor int64_cumsum(const at::Tensor& x, int64_t dim);
// self with `value` where mask (bool, broadcast to self) is set: int64, bit for bit.
at::Tensor int64_masked_fill(const at::Tensor& self, const at::Tensor& mask, int64_t value);
// The largest (or smallest) element of an int64 tensor, as a 0-d int64 tensor.
at::Tensor int64_extreme(const at::Tensor& x, bool largest);

}  // namespace ttnn_device::aten
