// int64 elementwise math through TT-NN's INT32 ops: each int64 element is its two 32-bit words (the
// bytes of the storage read as INT32 pairs), so additions carry and comparisons order across words
// exactly, for every int64 value, with no host round trip. Token ids, positions and masks in PyTorch
// are int64; this keeps their arithmetic on the device.
#pragma once

#include <ATen/ATen.h>

#include <optional>

namespace ttnn_device::aten {

// True for the ops this module computes: add, subtract, eq, ne, lt, le, gt, ge.
bool int64_supports(const char* ttnn_op);
// `a op b` where torch promotes to int64 (either side may be a CPU 0-d number or a narrower integer
// tensor); add/subtract results are int64, comparisons bool. Declines what it cannot do exactly.
at::Tensor int64_binary(const char* ttnn_op, const at::Tensor& a, const at::Tensor& b, const std::optional<at::Scalar>& alpha);

}  // namespace ttnn_device::aten
