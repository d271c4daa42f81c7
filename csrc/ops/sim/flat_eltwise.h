// Elementwise ops whose operands are stored exactly as their output will be (same shape, same layout,
// FLOAT32 elements) pair the stored elements one for one, padding included, as the card's cores do on
// tiles: one flat loop over the buffers, with tt numerics' denormal flush fused into the store. The
// commonest calls of a model (an activation, a residual add, a scale) then cost a loop over memory, not
// host tensor views and a TensorIterator: what keeps a small op's cost near the CPU's.
#pragma once

#include <optional>

#include "ops/args.h"
#include "ops/tt_tensor.h"

namespace ttnn_device::ops::sim {

// kNone: an op without a flat loop (its kernel always takes the general path).
enum class FlatOp { kNone, kAdd, kSubtract, kMultiply, kRelu };

// The call `op` (a vocabulary op computing `flat`) done by the flat loop, or empty when its operands do
// not qualify (a number operand, broadcasting, another layout or data type, an extra parameter).
std::optional<TtTensor> flat_binary(FlatOp flat, const char* op, const Args& args);
std::optional<TtTensor> flat_unary(FlatOp flat, const char* op, const Args& args);
// mac (a * b + c), b and c each a tensor stored like a, a number, or a row vector broadcast along rows.
std::optional<TtTensor> flat_mac(const Args& args);

}  // namespace ttnn_device::ops::sim
