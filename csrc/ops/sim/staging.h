// Host memory the reference device stages values in (a TILE input untilized for the host's math, an
// output before it is tilized, a fidelity-cut copy of activations). Every forward of a model asks for the
// same sizes again, and memory freshly taken from the system is page-faulted in anew on each use, which
// costs as much as the conversion itself; so freed staging blocks are kept for reuse, within a budget.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/util/ArrayRef.h>

namespace ttnn_device::ops::sim {

// An uninitialised CPU tensor of `sizes` and `dtype` (contiguous) in staging memory.
at::Tensor staging_empty(c10::IntArrayRef sizes, c10::ScalarType dtype);
// The same sizes and strides as `like` (a permuted dense tensor keeps its memory format).
at::Tensor staging_empty_like(const at::Tensor& like);

}  // namespace ttnn_device::ops::sim
