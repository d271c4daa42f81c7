// The reference device's matmul and linear. In tt numerics the FPU multiplier sees each operand cut to
// the bits of the math fidelity's phases (in0, the activations, through SrcB: 6 then 4 more mantissa bits;
// in1, the weights, through SrcA: 4 then 5 more), and sums the phases the fidelity runs; products are
// accumulated in fp32 (the card may accumulate in bf16 when the output is not FLOAT32: not modelled).
#include <ATen/ATen.h>

#include "ops/dispatch.h"
#include "ops/numerics.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

at::Tensor masked(const at::Tensor& x, uint32_t mask) {
  at::Tensor bits = x.contiguous().view(c10::kInt).bitwise_and(static_cast<int32_t>(mask));
  return bits.view(c10::kFloat);
}

constexpr uint32_t kSrcAHigh = 0xFFF80000u;  // sign, exponent, 4 mantissa bits
constexpr uint32_t kSrcATf = 0xFFFFC000u;    // + the next 5 bits
constexpr uint32_t kSrcBHigh = 0xFFFE0000u;  // sign, exponent, 6 mantissa bits
constexpr uint32_t kSrcBTf = 0xFFFFE000u;    // + the next 4 bits (TF32)

// a @ b with a's bits as SrcB sees them and b's as SrcA does, summed over the fidelity's phases.
at::Tensor fidelity_matmul(const at::Tensor& a, const at::Tensor& b, MathFidelity fidelity) {
  switch (fidelity) {
    case MathFidelity::kLoFi: return at::matmul(masked(a, kSrcBHigh), masked(b, kSrcAHigh));
    case MathFidelity::kHiFi2: return at::matmul(masked(a, kSrcBHigh), masked(b, kSrcATf));
    case MathFidelity::kHiFi4: return at::matmul(masked(a, kSrcBTf), masked(b, kSrcATf));
    case MathFidelity::kHiFi3: {
      // Phases A_hi*B_hi, A_lo*B_hi, A_hi*B_lo: the full product less A_lo*B_lo.
      at::Tensor a_lo = masked(a, kSrcBTf) - masked(a, kSrcBHigh);
      at::Tensor b_lo = masked(b, kSrcATf) - masked(b, kSrcAHigh);
      return at::matmul(masked(a, kSrcBTf), masked(b, kSrcATf)) - at::matmul(a_lo, b_lo);
    }
  }
  return at::matmul(a, b);
}

at::Tensor product(const Args& args) {
  const TtTensor& ta = args.tensor("input_tensor_a");
  const TtTensor& tb = args.tensor("input_tensor_b");
  at::Tensor a = read(ta).to(c10::kFloat);
  at::Tensor b = read(tb).to(c10::kFloat);
  if (args.flag("transpose_a", false)) a = a.transpose(-1, -2);
  if (args.flag("transpose_b", false)) b = b.transpose(-1, -2);
  if (numerics() == Numerics::kExact) return at::matmul(a, b);
  return fidelity_matmul(a, b, matmul_fidelity(ta.dtype, tb.dtype));
}

std::vector<TtTensor> matmul_impl(const Args& args) {
  const TtTensor& a = args.tensor("input_tensor_a");
  return {store(product(args), a.device(), Layout::TILE, output_dtype(args, a.dtype))};
}

std::vector<TtTensor> linear_impl(const Args& args) {
  const TtTensor& a = args.tensor("input_tensor_a");
  at::Tensor result = product(args);
  if (auto bias = args.optional_tensor("bias")) result = result + read(*bias).to(c10::kFloat);
  return {store(result, a.device(), Layout::TILE, output_dtype(args, a.dtype))};
}

const bool registered = [] {
  register_impls("sim", {{"matmul", matmul_impl}, {"linear", linear_impl}});
  return true;
}();

}  // namespace
}  // namespace ttnn_device::ops::sim
