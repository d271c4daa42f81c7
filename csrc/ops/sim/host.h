// How the reference device reaches the values of TT tensors: its DRAM is host memory, so an op reads its
// inputs in place when the stored bytes are the logical elements (ROW_MAJOR, no conversion) and through
// the format decoder otherwise (as the card's unpacker would), computes on the host, and stores the result
// in the output's format (as the card's packer would).
#pragma once

#include <ATen/core/Tensor.h>

#include "ops/args.h"
#include "ops/tt_tensor.h"

namespace ttnn_device::ops::sim {

// The torch element type the reference device computes a TT data type in.
c10::ScalarType compute_type(DataType host_type);
// The values of a TT tensor as a CPU tensor of its logical shape (read-only: it may alias device memory).
at::Tensor read(const TtTensor& tensor);
// A number or tensor argument as a CPU value (a 0-d tensor for a number).
at::Tensor read_operand(const Args& args, const char* name);

// An output being computed: `values` is where to write the result (device memory itself when the format
// is plain), `finish` stores it (encoding when needed) and returns the tensor.
class Output {
 public:
  Output(c10::Device device, const Shape& shape, Layout layout, DataType dtype);
  at::Tensor& values() { return values_; }
  TtTensor finish();
  // Stores `result` (any dtype; converted) as the output.
  TtTensor finish_with(const at::Tensor& result);

 private:
  TtTensor tensor_;
  at::Tensor values_;
  bool direct_;
};

// The layout an op's output takes: the table's rule applied to the main input.
Layout output_layout(const char* op, Layout input);
// The output's data type: `dtype` if the call passes one, else the main input's.
DataType output_dtype(const Args& args, DataType input);
// tt numerics: denormal results flushed to zero (the card's FPU/SFPU and packer do).
void finish_numerics(at::Tensor& values);

// One op whose output is computed from CPU values by `compute`, with the output's shape taken from it.
TtTensor store(const at::Tensor& result, c10::Device device, Layout layout, DataType dtype);

}  // namespace ttnn_device::ops::sim
