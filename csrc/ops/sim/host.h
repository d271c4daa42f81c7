// How the reference device reaches the values of TT tensors: its DRAM is host memory, so an op reads its
// inputs in place when the stored bytes are the logical elements (ROW_MAJOR, no conversion) and through
// the format decoder otherwise (as the card's unpacker would), computes on the host, and stores the result
// in the output's format (as the card's packer would).
#pragma once

#include <ATen/core/Tensor.h>

#include <initializer_list>
#include <optional>
#include <vector>

#include "ops/args.h"
#include "ops/tt_tensor.h"

namespace ttnn_device::ops::sim {

// The torch element type the reference device computes a TT data type in.
c10::ScalarType compute_type(DataType host_type);
// The values of a TT tensor as a CPU tensor of its logical shape (read-only: it may alias device memory).
at::Tensor read(const TtTensor& tensor);
// A number or tensor argument as a CPU value (a 0-d tensor for a number).
at::Tensor read_operand(const Args& args, const char* name);

// The elements of a tensor where they are stored, seen as the card's cores see TILE data: a view over
// device memory with dims [outer..., tile row, face row, row in face, tile col, face col, col in face],
// each tile's padding included; a dim of logical size 1 (height or width) keeps only its first row or
// column, so the view broadcasts as the logical tensor does. Elementwise math on such views needs no
// (un)tilize. Empty unless the tensor holds plain elements (no block float) in this process and is TILE
// with its tiles following its shape, or ROW_MAJOR with no tile needing padding.
std::optional<at::Tensor> tile_view(const TtTensor& tensor);

// Elementwise ops on tiles: the named operands (those present) as tile views, numbers as 0-d tensors,
// with the output's logical shape (their broadcast); empty unless every tensor among them has a tile view.
struct TileOperands {
  std::vector<at::Tensor> views;  // in the order of the names given
  Shape shape;
};
std::optional<TileOperands> tile_operands(const Args& args, std::initializer_list<const char*> names);

// Elementwise math on the stored elements themselves: when `input` holds plain FLOAT32 elements arranged as
// a new FLOAT32 output of its shape in `layout` would hold them, `compute(out, in)` runs once over both
// buffers as flat vectors (padding included, as the card's cores compute whole tiles), which the CPU's
// kernels vectorise; tiles seen as [.., 16] views would not. tt numerics' flush follows. Empty otherwise.
using StoredCompute = void (*)(at::Tensor& out, const at::Tensor& in, const Args& args);
std::optional<TtTensor> on_stored_elements(const TtTensor& input, Layout layout, DataType dtype, const Args& args,
                                           StoredCompute compute);

// An output being computed: `values` is where to write the result (device memory itself when the format
// is plain), `finish` stores it (encoding when needed) and returns the tensor. Built `in_tiles`, a TILE
// output of plain elements is written in place through tiles() instead (when in_tiles() says so).
class Output {
 public:
  Output(c10::Device device, const Shape& shape, Layout layout, DataType dtype, bool in_tiles = false);
  at::Tensor& values();
  bool in_tiles() const { return tiles_.defined(); }
  at::Tensor& tiles() { return tiles_; }
  TtTensor finish();
  // Finishes an output written through tiles() with copies of stored tiles: data movement, which moves bits
  // as they are (the card's reader and writer kernels), so tt numerics' flush does not apply.
  TtTensor finish_moved();
  // Stores `result` (any dtype; converted) as the output.
  TtTensor finish_with(const at::Tensor& result);

 private:
  at::TensorOptions options() const;
  void flush_physical();  // tt numerics on the stored elements (plain formats)
  // Encodes contiguous host-type `values` with tt numerics' flush in the same pass, where the format has
  // such an encoder (TILE FLOAT32 / BFLOAT16) and tt numerics are in force; false, with nothing written,
  // elsewhere.
  bool encode_flushing(const at::Tensor& values);

  TtTensor tensor_;
  at::Tensor values_;
  at::Tensor tiles_;
  bool direct_ = false;
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
