// Elementwise unary kernels (TT-NN's SFPU ops): functional, in-place and out= forms, integer inputs
// promoted to float where torch promotes them, results in the input's memory order.
#include <ATen/ATen.h>
#include <ATen/native/Resize.h>
#include <torch/library.h>

#include "aten/int64_math.h"
#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

enum class UnaryResult { kSame, kFloat, kBool };

struct UnaryOp {
  const char* ttnn;
  UnaryResult result;
};

enum class Dest { kNew, kSelf, kOut };

at::Tensor run(const UnaryOp& op, const at::Tensor& x, ops::Args args, Dest dest, const at::Tensor* target) {
  device_of({&x, target});
  if (x.scalar_type() == c10::kLong && int64_unary_supports(op.ttnn)) {  // by its 32-bit words
    at::Tensor result = int64_unary(op.ttnn, x);
    if (dest == Dest::kNew) return result;
    if (dest == Dest::kOut && target->sizes() != x.sizes()) at::native::resize_output(*target, x.sizes());
    const_cast<at::Tensor*>(target)->copy_(result);
    return *target;
  }
  c10::ScalarType compute = x.scalar_type();
  if (op.result == UnaryResult::kFloat && at::isIntegralType(compute, true)) {
    compute = c10::typeMetaToScalarType(at::get_default_dtype());
  }
  const c10::ScalarType out_dtype = op.result == UnaryResult::kBool ? c10::kBool : compute;
  const DataType type = math_type(compute);
  if (dest != Dest::kNew) {
    TORCH_CHECK(at::canCast(out_dtype, target->scalar_type()), "result type ", out_dtype,
                " can't be cast to the desired output type ", target->scalar_type());
  }
  const auto order = memory_order(x);
  const auto ordered = in_order(x, x.dim(), order);
  const auto stored = in_stored_shape({&*ordered}, ordered->sizes());
  args.set("input_tensor", cast(to_tt(stored ? (*stored)[0] : *ordered), type));
  TtTensor result = ops::call1(op.ttnn, args);
  if (op.result == UnaryResult::kBool) result = cast(result, DataType::UINT8);
  switch (dest) {
    case Dest::kNew: return wrap_in_order(result, out_dtype, x.sizes(), order);
    case Dest::kSelf: write_in_order(*target, std::move(result), order); return *target;
    case Dest::kOut:
      if (target->sizes() != x.sizes()) {
        at::native::resize_output(*target, x.sizes());
      }
      write_in_order(*target, std::move(result), order);
      return *target;
  }
  return {};
}

#define TTNN_UNARY_OP(name, ttnn_name, result) constexpr UnaryOp k_##name{ttnn_name, UnaryResult::result};
TTNN_UNARY_OP(relu, "relu", kSame)
TTNN_UNARY_OP(silu, "silu", kFloat)
TTNN_UNARY_OP(sigmoid, "sigmoid", kFloat)
TTNN_UNARY_OP(tanh, "tanh", kFloat)
TTNN_UNARY_OP(exp, "exp", kFloat)
TTNN_UNARY_OP(log, "log", kFloat)
TTNN_UNARY_OP(log2, "log2", kFloat)
TTNN_UNARY_OP(log1p, "log1p", kFloat)
TTNN_UNARY_OP(sqrt, "sqrt", kFloat)
TTNN_UNARY_OP(rsqrt, "rsqrt", kFloat)
TTNN_UNARY_OP(reciprocal, "reciprocal", kFloat)
TTNN_UNARY_OP(neg, "neg", kSame)
TTNN_UNARY_OP(abs, "abs", kSame)
TTNN_UNARY_OP(sign, "sign", kSame)
TTNN_UNARY_OP(sgn, "sign", kSame)  // sgn is sign for real tensors (complex ones have no TT-NN type and decline)
TTNN_UNARY_OP(erf, "erf", kFloat)
TTNN_UNARY_OP(floor, "floor", kSame)
TTNN_UNARY_OP(ceil, "ceil", kSame)
TTNN_UNARY_OP(round, "round", kSame)
TTNN_UNARY_OP(trunc, "trunc", kSame)
TTNN_UNARY_OP(sin, "sin", kFloat)
TTNN_UNARY_OP(cos, "cos", kFloat)
TTNN_UNARY_OP(hardswish, "hardswish", kSame)
TTNN_UNARY_OP(hardsigmoid, "hardsigmoid", kSame)
TTNN_UNARY_OP(mish, "mish", kSame)
TTNN_UNARY_OP(isnan, "isnan", kBool)
TTNN_UNARY_OP(isinf, "isinf", kBool)
TTNN_UNARY_OP(isfinite, "isfinite", kBool)
TTNN_UNARY_OP(logical_not, "logical_not", kBool)
TTNN_UNARY_OP(bitwise_not, "bitwise_not", kSame)
TTNN_UNARY_OP(gelu, "gelu", kSame)
TTNN_UNARY_OP(hardtanh, "hardtanh", kSame)
TTNN_UNARY_OP(leaky_relu, "leaky_relu", kSame)
TTNN_UNARY_OP(elu, "elu", kSame)
TTNN_UNARY_OP(softplus, "softplus", kSame)
#undef TTNN_UNARY_OP

// Ops whose integer forms TT-NN does not compute like torch: floor/ceil/round/trunc of integers are the
// identity in torch (and stay on the device as clones); bitwise_not of bool is logical.
bool identity_for_integers(const UnaryOp& op) {
  const std::string n = op.ttnn;
  return n == "floor" || n == "ceil" || n == "round" || n == "trunc";
}

void check_input(const UnaryOp& op, const at::Tensor& x) {
  if (identity_for_integers(op) && !at::isFloatingType(x.scalar_type())) decline("rounding an integer tensor");
  if (std::string(op.ttnn) == "bitwise_not" && (x.scalar_type() == c10::kBool || at::isFloatingType(x.scalar_type()))) {
    decline("bitwise_not of bool or floating tensors");
  }
  if (std::string(op.ttnn) == "sign" && x.scalar_type() == c10::kBool) decline("sign of a bool tensor");
  if (std::string(op.ttnn) == "neg" && x.scalar_type() == c10::kBool) decline("neg of a bool tensor (torch raises)");
  if ((std::string(op.ttnn) == "abs" || std::string(op.ttnn) == "neg") && x.scalar_type() == c10::kByte) {
    decline("abs/neg of uint8 wraps in torch");
  }
}

template <const UnaryOp& kOp>
at::Tensor functional(const at::Tensor& x) {
  check_input(kOp, x);
  return run(kOp, x, {}, Dest::kNew, nullptr);
}
template <const UnaryOp& kOp>
at::Tensor& inplace(at::Tensor& x) {
  check_input(kOp, x);
  run(kOp, x, {}, Dest::kSelf, &x);
  return x;
}
template <const UnaryOp& kOp>
at::Tensor& out(const at::Tensor& x, at::Tensor& result) {
  check_input(kOp, x);
  run(kOp, x, {}, Dest::kOut, &result);
  return result;
}

// bitwise_not of bools is logical_not; of int64 tensors, each 32-bit word inverted.
at::Tensor bitwise_not_kernel(const at::Tensor& x) {
  if (x.scalar_type() == c10::kBool) return run(k_logical_not, x, {}, Dest::kNew, nullptr);
  if (x.scalar_type() == c10::kLong) {
    device_of({&x});
    return int64_bitwise_not(x);
  }
  return functional<k_bitwise_not>(x);
}
at::Tensor& bitwise_not_kernel_out(const at::Tensor& x, at::Tensor& result) {
  if (x.scalar_type() == c10::kBool || x.scalar_type() == c10::kLong) return copy_out(result, bitwise_not_kernel(x));
  return out<k_bitwise_not>(x, result);
}
at::Tensor& bitwise_not_kernel_(at::Tensor& x) { return bitwise_not_kernel_out(x, x); }

// Ops with parameters: the aten arguments as TT-NN's.
ops::Args gelu_args(c10::string_view approximate) {
  // Any other value is an error the CPU kernel raises with torch's message.
  if (approximate != "none" && approximate != "tanh") decline("gelu with an unknown approximate value");
  return {{"fast_and_approximate_mode", approximate == "tanh"}};
}
at::Tensor gelu(const at::Tensor& x, c10::string_view approximate) {
  return run(k_gelu, x, gelu_args(approximate), Dest::kNew, nullptr);
}
at::Tensor& gelu_(at::Tensor& x, c10::string_view approximate) {
  run(k_gelu, x, gelu_args(approximate), Dest::kSelf, &x);
  return x;
}
at::Tensor& gelu_out(const at::Tensor& x, c10::string_view approximate, at::Tensor& result) {
  run(k_gelu, x, gelu_args(approximate), Dest::kOut, &result);
  return result;
}

ops::Args hardtanh_args(const at::Scalar& lo, const at::Scalar& hi) {
  return {{"min_val", lo.toDouble()}, {"max_val", hi.toDouble()}};
}
at::Tensor hardtanh(const at::Tensor& x, const at::Scalar& lo, const at::Scalar& hi) {
  if (!at::isFloatingType(x.scalar_type())) decline("hardtanh of an integer tensor");
  return run(k_hardtanh, x, hardtanh_args(lo, hi), Dest::kNew, nullptr);
}
at::Tensor& hardtanh_(at::Tensor& x, const at::Scalar& lo, const at::Scalar& hi) {
  if (!at::isFloatingType(x.scalar_type())) decline("hardtanh of an integer tensor");
  run(k_hardtanh, x, hardtanh_args(lo, hi), Dest::kSelf, &x);
  return x;
}
at::Tensor& hardtanh_out(const at::Tensor& x, const at::Scalar& lo, const at::Scalar& hi, at::Tensor& result) {
  if (!at::isFloatingType(x.scalar_type())) decline("hardtanh of an integer tensor");
  run(k_hardtanh, x, hardtanh_args(lo, hi), Dest::kOut, &result);
  return result;
}

at::Tensor leaky_relu(const at::Tensor& x, const at::Scalar& slope) {
  return run(k_leaky_relu, x, {{"negative_slope", slope.toDouble()}}, Dest::kNew, nullptr);
}
at::Tensor& leaky_relu_(at::Tensor& x, const at::Scalar& slope) {
  run(k_leaky_relu, x, {{"negative_slope", slope.toDouble()}}, Dest::kSelf, &x);
  return x;
}
at::Tensor& leaky_relu_out(const at::Tensor& x, const at::Scalar& slope, at::Tensor& result) {
  run(k_leaky_relu, x, {{"negative_slope", slope.toDouble()}}, Dest::kOut, &result);
  return result;
}

// TT-NN's elu has alpha only: torch's scale and input_scale must be 1.
ops::Args elu_args(const at::Scalar& alpha, const at::Scalar& scale, const at::Scalar& input_scale) {
  if (scale.toDouble() != 1.0 || input_scale.toDouble() != 1.0) decline("elu with scale or input_scale");
  return {{"alpha", alpha.toDouble()}};
}
at::Tensor& elu_out(const at::Tensor& x, const at::Scalar& alpha, const at::Scalar& scale, const at::Scalar& input_scale,
                    at::Tensor& result) {
  run(k_elu, x, elu_args(alpha, scale, input_scale), Dest::kOut, &result);
  return result;
}
at::Tensor elu(const at::Tensor& x, const at::Scalar& alpha, const at::Scalar& scale, const at::Scalar& input_scale) {
  return run(k_elu, x, elu_args(alpha, scale, input_scale), Dest::kNew, nullptr);
}

at::Tensor& softplus_out(const at::Tensor& x, const at::Scalar& beta, const at::Scalar& threshold, at::Tensor& result) {
  run(k_softplus, x, {{"beta", beta.toDouble()}, {"threshold", threshold.toDouble()}}, Dest::kOut, &result);
  return result;
}
at::Tensor softplus(const at::Tensor& x, const at::Scalar& beta, const at::Scalar& threshold) {
  return run(k_softplus, x, {{"beta", beta.toDouble()}, {"threshold", threshold.toDouble()}}, Dest::kNew, nullptr);
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))
#define TTNN_UNARY(name)                                                      \
  TTNN_NATIVE(#name, ATEN_OP(name), &functional<k_##name>);                   \
  TTNN_NATIVE(#name "_", ATEN_OP(name##_), &inplace<k_##name>);               \
  TTNN_NATIVE(#name ".out", ATEN_OP2(name, out), &out<k_##name>)

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("relu", ATEN_OP(relu), &functional<k_relu>);
  TTNN_NATIVE("relu_", ATEN_OP(relu_), &inplace<k_relu>);
  TTNN_UNARY(silu);
  TTNN_UNARY(sigmoid);
  TTNN_UNARY(tanh);
  TTNN_UNARY(exp);
  TTNN_UNARY(log);
  TTNN_UNARY(log2);
  TTNN_UNARY(log1p);
  TTNN_UNARY(sqrt);
  TTNN_UNARY(rsqrt);
  TTNN_UNARY(reciprocal);
  TTNN_UNARY(neg);
  TTNN_UNARY(abs);
  TTNN_UNARY(sign);
  TTNN_UNARY(sgn);
  TTNN_UNARY(erf);
  TTNN_UNARY(floor);
  TTNN_UNARY(ceil);
  TTNN_UNARY(round);
  TTNN_UNARY(trunc);
  TTNN_UNARY(sin);
  TTNN_UNARY(cos);
  TTNN_UNARY(hardswish);
  TTNN_UNARY(hardsigmoid);
  TTNN_UNARY(mish);
  TTNN_UNARY(logical_not);
  TTNN_NATIVE("bitwise_not", ATEN_OP(bitwise_not), &bitwise_not_kernel);
  TTNN_NATIVE("bitwise_not_", ATEN_OP(bitwise_not_), &bitwise_not_kernel_);
  TTNN_NATIVE("bitwise_not.out", ATEN_OP2(bitwise_not, out), &bitwise_not_kernel_out);
  TTNN_NATIVE("isnan", ATEN_OP(isnan), &functional<k_isnan>);
  TTNN_NATIVE("gelu", ATEN_OP(gelu), &gelu);
  TTNN_NATIVE("gelu_", ATEN_OP(gelu_), &gelu_);
  TTNN_NATIVE("gelu.out", ATEN_OP2(gelu, out), &gelu_out);
  TTNN_NATIVE("hardtanh", ATEN_OP(hardtanh), &hardtanh);
  TTNN_NATIVE("hardtanh_", ATEN_OP(hardtanh_), &hardtanh_);
  TTNN_NATIVE("hardtanh.out", ATEN_OP2(hardtanh, out), &hardtanh_out);
  TTNN_NATIVE("leaky_relu", ATEN_OP(leaky_relu), &leaky_relu);
  TTNN_NATIVE("leaky_relu_", ATEN_OP(leaky_relu_), &leaky_relu_);
  TTNN_NATIVE("leaky_relu.out", ATEN_OP2(leaky_relu, out), &leaky_relu_out);
  TTNN_NATIVE("elu", ATEN_OP(elu), &elu);
  TTNN_NATIVE("elu.out", ATEN_OP2(elu, out), &elu_out);
  TTNN_NATIVE("softplus", ATEN_OP(softplus), &softplus);
  TTNN_NATIVE("softplus.out", ATEN_OP2(softplus, out), &softplus_out);
}

}  // namespace
}  // namespace ttnn_device::aten
