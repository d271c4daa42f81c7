// Operands of elementwise kernels: ttnn tensors become TT tensors of the computation's data type (a
// counted typecast where torch's type promotion changes it), CPU 0-d tensors and Scalars become numbers.
// Elementwise kernels compute in the memory order of their first operand, so channels-last (or any
// dense permuted) tensors stay as they are and results get the strides the CPU would give them.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/util/DimVector.h>
#include <c10/util/MaybeOwned.h>

#include <optional>
#include <vector>

#include "aten/tt_view.h"
#include "ops/args.h"

namespace ttnn_device::aten {

// The dims of `t` outermost-in-memory first (identity unless t is dense and permuted). Inline storage:
// every elementwise op computes one.
using DimOrder = c10::DimVector;
DimOrder memory_order(const at::Tensor& t);
bool is_identity(c10::IntArrayRef order);

// Kernels borrow their operands where they can: copying a tensor that Python holds makes torch take the
// GIL to keep its Python object alive, which costs more than a small op's math.
using Borrowed = c10::MaybeOwned<at::Tensor>;

// `t` broadcast-aligned to `rank` dims (leading size-1 dims) and permuted by `order`: the operand as the
// memory-order computation sees it (`t` itself, borrowed, when that changes nothing).
Borrowed in_order(const at::Tensor& t, int64_t rank, c10::IntArrayRef order);

// Elementwise kernels compute on their operands in the shape the main operand's TILE buffer is stored in
// (a convolution's [1, 1, N*H*W, C] output read as [N, H, W, C], ...) when every operand can be viewed in
// that shape: re-tiling to the view's sizes would be a layout conversion per op. `operands` are in memory
// order, broadcast-aligned to `sizes` (the output's, in that order); CPU scalars pass through. Returns
// them unchanged when no operand is stored so or one cannot be viewed so. Results keep that shape and are
// wrapped with the op's sizes (same elements in memory order). Empty when the operands stay as they are.
std::optional<std::vector<at::Tensor>> in_stored_shape(c10::ArrayRef<const at::Tensor*> operands,
                                                       c10::IntArrayRef sizes);
// The shape a dense whole-storage tensor's TILE buffer is stored in (its elements read as stored), if any.
std::optional<runtime::Shape> tile_stored_shape(const at::Tensor& t);
// `t` as a TT tensor in TILE for an op that treats every row alike and works along t's last `kept` dims
// (row-wise softmax and norms, a product with a 2-d weight): in the shape its TILE buffer is stored in
// when that keeps those dims and only re-factors the ones before them (no re-tiling; the result, in that
// shape too, holds t's elements in order), else as to_tt_in(t, TILE).
TtTensor rows_as_stored(const at::Tensor& t, int64_t kept);
// An operand's sizes (aligned to `sizes`) in the form of another factoring `stored` of the same elements:
// empty unless it broadcasts over every re-factored leading dim or (`spanning_allowed`) spans them all.
std::optional<std::vector<int64_t>> stored_form(c10::IntArrayRef operand, c10::IntArrayRef sizes,
                                                c10::IntArrayRef stored, bool spanning_allowed);

// Same-sized tensors (an elementwise op's operands: a gradient and the forward's input or output) as TT
// tensors of data type `type`, computed in the first one's memory order and, where all can be viewed so,
// in the shape its TILE buffer is stored in. Wrap the result with wrap_in_order(.., order).
struct OrderedOperands {
  std::vector<TtTensor> tensors;
  DimOrder order;
};
OrderedOperands ordered_operands(std::initializer_list<const at::Tensor*> tensors, DataType type);

// A tensor operand (TT tensor of data type `type`) or a number.
ops::Value operand(const at::Tensor& t, DataType type);
ops::Value operand(const at::Scalar& s);

// The result of a memory-order computation as a torch tensor of `sizes` with the strides of that order.
at::Tensor wrap_in_order(TtTensor result, c10::ScalarType dtype, c10::IntArrayRef sizes,
                         c10::IntArrayRef order);
// The strides of a dense tensor of `sizes` laid out in `order` (outermost first).
std::vector<int64_t> strides_for(c10::IntArrayRef sizes, c10::IntArrayRef order);
// Writes a memory-order result into a destination of the op's output sizes.
void write_in_order(const at::Tensor& dst, TtTensor result, c10::IntArrayRef order);

}  // namespace ttnn_device::aten
