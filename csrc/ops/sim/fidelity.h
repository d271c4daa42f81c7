// tt numerics of the matrix engine, shared by matmul, linear and convolution (an im2col matmul on the
// card): the FPU multiplier sees each operand cut to the bits of the math fidelity's phases (activations,
// in0, through SrcB: 6 then 4 more mantissa bits; weights, in1, through SrcA: 4 then 5 more) and sums the
// phases the fidelity runs. Products accumulate in fp32 (the card may accumulate in bf16 when the output
// is not FLOAT32: not modelled).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

#include "ops/numerics.h"
#include "ops/tt_tensor.h"

namespace ttnn_device::ops::sim {

constexpr uint32_t kAllBits = 0xFFFFFFFFu;
constexpr uint32_t kSrcAHigh = 0xFFF80000u;  // sign, exponent, 4 mantissa bits
constexpr uint32_t kSrcATf = 0xFFFFC000u;    // + the next 5 bits
constexpr uint32_t kSrcBHigh = 0xFFFE0000u;  // sign, exponent, 6 mantissa bits
constexpr uint32_t kSrcBTf = 0xFFFFE000u;    // + the next 4 bits (TF32)

// Float values with only the bits `mask` keeps, in staging memory, with x's sizes and strides (a
// channels-last activation stays channels-last, which the CPU's convolution needs to run fast).
at::Tensor cut_bits(const at::Tensor& x, uint32_t mask);

// An activation's values as float32 (logical shape, row-major, staging memory) with only the bits `mask`
// keeps: a TILE FLOAT32 tensor is untilized and cut in one pass over its tiles, not decoded and then cut.
at::Tensor read_cut(const TtTensor& activation, uint32_t mask);
// An activation's values times `factor` (float32 math, as the card's multiply), in staging memory of
// their own, scaled as they are untilized: one pass, as read_cut's.
at::Tensor read_scaled(const TtTensor& activation, float factor);

// A weight's values as float32 with only the bits `mask` keeps (kAllBits: all), laid out in `format` (the
// one its consumer computes in: a channels-last convolution wants channels-last weights and would copy
// others on every call). A weight read again with its contents unchanged gets the copy made for its
// previous read: no decode, no cut and no re-layout per call.
at::Tensor weight_values(const TtTensor& weight, uint32_t mask,
                         c10::MemoryFormat format = c10::MemoryFormat::Contiguous);

// product(activations, weights) summed over `fidelity`'s phases: `activations(mask)` and `weights(mask)`
// give the operands with only the bits `mask` keeps.
template <class Activations, class Weights, class Product>
at::Tensor fidelity_product(MathFidelity fidelity, Activations&& activations, Weights&& weights, Product&& product) {
  switch (fidelity) {
    case MathFidelity::kLoFi: return product(activations(kSrcBHigh), weights(kSrcAHigh));
    case MathFidelity::kHiFi2: return product(activations(kSrcBHigh), weights(kSrcATf));
    case MathFidelity::kHiFi4: return product(activations(kSrcBTf), weights(kSrcATf));
    case MathFidelity::kHiFi3: {
      // Phases A_hi*B_hi, A_lo*B_hi, A_hi*B_lo: the full product less A_lo*B_lo.
      const at::Tensor a = activations(kSrcBTf), w = weights(kSrcATf);
      return product(a, w) - product(a - activations(kSrcBHigh), w - weights(kSrcAHigh));
    }
  }
  return product(activations(kAllBits), weights(kAllBits));
}

// A product with a bias (matmul's linear, a convolution's bias) in the numerics in force: `product(x, w,
// true)` computes x w with the bias added inside it, `product(x, w, false)` without. Exact numerics and
// every fidelity of one product take the bias inside; HiFi3 subtracts one product from another, so its
// products go without and `add_bias(result)` adds it once, after.
template <class Activations, class Weights, class Product, class AddBias>
at::Tensor biased_product(MathFidelity fidelity, Activations&& activations, Weights&& weights, Product&& product,
                          AddBias&& add_bias) {
  if (numerics() == Numerics::kExact) return product(activations(kAllBits), weights(kAllBits), true);
  if (fidelity != MathFidelity::kHiFi3) {
    return fidelity_product(fidelity, activations, weights,
                            [&](const at::Tensor& x, const at::Tensor& w) { return product(x, w, true); });
  }
  at::Tensor result = fidelity_product(fidelity, activations, weights,
                                       [&](const at::Tensor& x, const at::Tensor& w) { return product(x, w, false); });
  add_bias(result);
  return result;
}

}  // namespace ttnn_device::ops::sim
