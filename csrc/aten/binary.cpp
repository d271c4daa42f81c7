// Elementwise binary kernels: torch's broadcasting, type promotion, alpha, scalar operands, in-place and
// out= mapped onto TT-NN's binary ops (which broadcast, but take the output dtype from A unless told).
#include <ATen/ATen.h>
#include <ATen/ExpandUtils.h>
#include <ATen/native/Resize.h>
#include <torch/library.h>

#include <cmath>
#include <cstring>
#include <numeric>

#include "aten/int64_math.h"
#include "aten/operands.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

enum class ResultType { kPromoted, kBool, kFloating };

struct BinaryOp {
  const char* ttnn;
  ResultType result;
};

constexpr BinaryOp kAdd{"add", ResultType::kPromoted};
constexpr BinaryOp kSub{"subtract", ResultType::kPromoted};
constexpr BinaryOp kMul{"multiply", ResultType::kPromoted};
constexpr BinaryOp kDiv{"divide", ResultType::kFloating};
constexpr BinaryOp kMaximum{"maximum", ResultType::kPromoted};
constexpr BinaryOp kMinimum{"minimum", ResultType::kPromoted};
constexpr BinaryOp kRemainder{"remainder", ResultType::kPromoted};
constexpr BinaryOp kFmod{"fmod", ResultType::kPromoted};
constexpr BinaryOp kPow{"pow", ResultType::kPromoted};
constexpr BinaryOp kEq{"eq", ResultType::kBool};
constexpr BinaryOp kNe{"ne", ResultType::kBool};
constexpr BinaryOp kLt{"lt", ResultType::kBool};
constexpr BinaryOp kLe{"le", ResultType::kBool};
constexpr BinaryOp kGt{"gt", ResultType::kBool};
constexpr BinaryOp kGe{"ge", ResultType::kBool};
constexpr BinaryOp kLogicalAnd{"logical_and", ResultType::kBool};
constexpr BinaryOp kLogicalOr{"logical_or", ResultType::kBool};
constexpr BinaryOp kLogicalXor{"logical_xor", ResultType::kBool};
constexpr BinaryOp kBitwiseAnd{"bitwise_and", ResultType::kPromoted};
constexpr BinaryOp kBitwiseOr{"bitwise_or", ResultType::kPromoted};
constexpr BinaryOp kBitwiseXor{"bitwise_xor", ResultType::kPromoted};

// Where the result goes: a new tensor, `self` (in-place) or an out= tensor.
enum class Dest { kNew, kSelf, kOut };

struct Extra {
  std::optional<at::Scalar> alpha;
  std::optional<c10::string_view> rounding_mode;
};

c10::ScalarType result_dtype(const BinaryOp& op, c10::ScalarType promoted) {
  switch (op.result) {
    case ResultType::kBool: return c10::kBool;
    case ResultType::kFloating: return at::isIntegralType(promoted, true) ? c10::typeMetaToScalarType(at::get_default_dtype()) : promoted;
    case ResultType::kPromoted: break;
  }
  return promoted;
}

// at::result_type, without a trip through the dispatcher for the common case of two tensors of one dtype
// (no wrapped number, whose dtype promotion replaces by the default dtype).
c10::ScalarType promoted_type(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() == b.scalar_type() && !a.unsafeGetTensorImpl()->is_wrapped_number() &&
      !b.unsafeGetTensorImpl()->is_wrapped_number()) {
    return a.scalar_type();
  }
  return at::result_type(a, b);
}

// int64 operands by their words (int64_math.h), the result placed as `dest` says.
at::Tensor int64_result(const BinaryOp& op, const at::Tensor& a, const at::Tensor& b, const Extra& extra, Dest dest,
                        const at::Tensor* target) {
  at::Tensor result = int64_binary(op.ttnn, a, b, extra.alpha, extra.rounding_mode);
  if (dest == Dest::kNew) return result;
  TORCH_CHECK(at::canCast(result.scalar_type(), target->scalar_type()), "result type ", result.scalar_type(),
              " can't be cast to the desired output type ", target->scalar_type());
  if (dest == Dest::kSelf) {
    TORCH_CHECK(result.sizes() == target->sizes(), "output with shape ", target->sizes(),
                " doesn't match the broadcast shape ", result.sizes());
  } else if (target->sizes() != result.sizes()) {
    at::native::resize_output(*target, result.sizes());
  }
  const_cast<at::Tensor*>(target)->copy_(result);
  return *target;
}

at::Tensor run(const BinaryOp& op, const at::Tensor& a, const at::Tensor& b, const Extra& extra, Dest dest,
               const at::Tensor* target) {
  device_of({&a, &b, target});
  c10::ScalarType promoted = promoted_type(a, b);
  const bool integer_division_rounds = op.result == ResultType::kFloating && extra.rounding_mode.has_value();
  c10::ScalarType out_dtype = integer_division_rounds ? promoted : result_dtype(op, promoted);
  if (op.result == ResultType::kFloating && !integer_division_rounds) promoted = out_dtype;
  // int64 tensors in a computation of another type (a float one, or an int32 one with a 0-d int64 operand)
  // convert to its type first (by their words, on the device).
  if (promoted != c10::kLong && promoted != c10::kBool) {
    auto is_int64 = [](const at::Tensor& t) { return core::is_ttnn(t) && t.scalar_type() == c10::kLong; };
    if (is_int64(a) || is_int64(b)) {
      return run(op, is_int64(a) ? a.to(promoted) : a, is_int64(b) ? b.to(promoted) : b, extra, dest, target);
    }
  }
  const bool bitwise = &op == &kBitwiseAnd || &op == &kBitwiseOr || &op == &kBitwiseXor;
  const bool logical = &op == &kLogicalAnd || &op == &kLogicalOr || &op == &kLogicalXor;
  const bool is_pow = &op == &kPow;
  if (logical) promoted = c10::kFloat;
  if (bitwise && at::isFloatingType(promoted)) {
    decline("bitwise ops on floating types");  // the CPU raises its own error
  }
  // Bitwise ops of bools are the logical ones (TT-NN's bitwise ops take integer types).
  if (promoted == c10::kBool && bitwise) {
    return run(&op == &kBitwiseAnd ? kLogicalAnd : &op == &kBitwiseOr ? kLogicalOr : kLogicalXor, a, b, extra, dest, target);
  }
  if (promoted == c10::kLong && int64_supports(op.ttnn)) return int64_result(op, a, b, extra, dest, target);
  const DataType compute = math_type(promoted);
  math_type(out_dtype);
  if (dest == Dest::kSelf || dest == Dest::kOut) {
    TORCH_CHECK(at::canCast(out_dtype, target->scalar_type()), "result type ", out_dtype,
                " can't be cast to the desired output type ", target->scalar_type());
  }
  const auto sizes = at::infer_size_dimvector(a.sizes(), b.sizes());
  if (dest == Dest::kSelf) {
    TORCH_CHECK(c10::IntArrayRef(sizes) == target->sizes(), "output with shape ", target->sizes(),
                " doesn't match the broadcast shape ", c10::IntArrayRef(sizes));
  }
  // Compute in the memory order of the first ttnn operand that has the output's sizes.
  DimOrder order(sizes.size());
  std::iota(order.begin(), order.end(), 0);
  for (const at::Tensor* t : {&a, &b}) {
    if (core::is_ttnn(*t) && t->sizes() == c10::IntArrayRef(sizes)) {
      order = memory_order(*t);
      break;
    }
  }
  const int64_t rank = static_cast<int64_t>(sizes.size());
  auto ordered = [&](const at::Tensor& t) { return core::is_ttnn(t) ? in_order(t, rank, order) : Borrowed::borrowed(t); };
  const Borrowed oa = ordered(a), ob = ordered(b);
  c10::DimVector sizes_in_order;
  for (int64_t d : order) sizes_in_order.push_back(sizes[d]);
  const auto viewed = in_stored_shape({&*oa, &*ob}, sizes_in_order);
  ops::Value va = operand(viewed ? (*viewed)[0] : *oa, compute), vb = operand(viewed ? (*viewed)[1] : *ob, compute);
  if (!std::holds_alternative<TtTensor>(va) && !std::holds_alternative<TtTensor>(vb)) {
    decline("two scalar operands");
  }
  if (extra.alpha.has_value() && !(extra.alpha->isIntegral(true) ? extra.alpha->toLong() == 1 : extra.alpha->toDouble() == 1.0)) {
    const double alpha = extra.alpha->toDouble();
    if (auto* tb = std::get_if<TtTensor>(&vb)) {
      vb = ops::call1("multiply", {{"input_tensor_a", *tb}, {"input_tensor_b", alpha}});
    } else {
      vb = std::get<double>(vb) * alpha;
    }
  }
  const DataType out_type = math_type(out_dtype);
  TtTensor result;
  if (is_pow && std::holds_alternative<double>(va)) {
    // A number base (a position encoding's 10000 ** x): TT-NN's pow of a one-element tensor of it.
    if (!at::isFloatingType(out_dtype)) decline("an integer power of a number base");
    const c10::Device device = core::is_ttnn(a) ? a.device() : b.device();
    va = ops::call1("full", {{"shape", std::vector<int64_t>{1}}, {"fill_value", std::get<double>(va)}, {"dtype", out_type},
                             {"layout", Layout::TILE}, {"device", static_cast<int64_t>(device.index())}});
  }
  if (is_pow) {
    ops::Args args;
    args.set("input_tensor", std::move(va)).set("exponent", std::move(vb)).set("dtype", out_type);
    result = ops::call1("pow", args);
  } else {
    ops::Args args;
    args.set("input_tensor_a", std::move(va)).set("input_tensor_b", std::move(vb));
    if (!(op.result == ResultType::kPromoted && out_type == compute)) args.set("dtype", out_type);
    if (extra.rounding_mode.has_value()) args.set("rounding_mode", std::string(*extra.rounding_mode));
    result = ops::call1(op.ttnn, args);
  }
  switch (dest) {
    case Dest::kNew: return wrap_in_order(result, out_dtype, sizes, order);
    case Dest::kSelf: write_in_order(*target, std::move(result), order); return *target;
    case Dest::kOut:
      if (target->sizes() != c10::IntArrayRef(sizes)) {
        at::native::resize_output(*target, sizes);
      }
      write_in_order(*target, std::move(result), order);
      return *target;
  }
  return {};
}

// The kernel shapes aten uses for binary ops, each serving every op of that shape.
template <const BinaryOp& kOp>
at::Tensor with_alpha(const at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha) {
  return run(kOp, a, b, {alpha, {}}, Dest::kNew, nullptr);
}
template <const BinaryOp& kOp>
at::Tensor& with_alpha_(at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha) {
  run(kOp, a, b, {alpha, {}}, Dest::kSelf, &a);
  return a;
}
template <const BinaryOp& kOp>
at::Tensor& with_alpha_out(const at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha, at::Tensor& out) {
  run(kOp, a, b, {alpha, {}}, Dest::kOut, &out);
  return out;
}
template <const BinaryOp& kOp>
at::Tensor plain(const at::Tensor& a, const at::Tensor& b) {
  return run(kOp, a, b, {}, Dest::kNew, nullptr);
}
template <const BinaryOp& kOp>
at::Tensor& plain_(at::Tensor& a, const at::Tensor& b) {
  run(kOp, a, b, {}, Dest::kSelf, &a);
  return a;
}
template <const BinaryOp& kOp>
at::Tensor& plain_out(const at::Tensor& a, const at::Tensor& b, at::Tensor& out) {
  run(kOp, a, b, {}, Dest::kOut, &out);
  return out;
}
at::Tensor wrapped(const at::Scalar& s) {
  at::Tensor t = at::scalar_tensor(s, at::TensorOptions().dtype(s.type()));
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

// A Scalar exponent or comparison operand takes part in promotion as a number (a wrapped scalar).
template <const BinaryOp& kOp>
at::Tensor number(const at::Tensor& a, const at::Scalar& b) {
  return run(kOp, a, wrapped(b), {}, Dest::kNew, nullptr);
}
template <const BinaryOp& kOp>
at::Tensor& number_(at::Tensor& a, const at::Scalar& b) {
  run(kOp, a, wrapped(b), {}, Dest::kSelf, &a);
  return a;
}
template <const BinaryOp& kOp>
at::Tensor& number_out(const at::Tensor& a, const at::Scalar& b, at::Tensor& out) {
  run(kOp, a, wrapped(b), {}, Dest::kOut, &out);
  return out;
}

at::Tensor div_mode(const at::Tensor& a, const at::Tensor& b, std::optional<c10::string_view> mode) {
  return run(kDiv, a, b, {std::nullopt, mode}, Dest::kNew, nullptr);
}
at::Tensor& div_mode_(at::Tensor& a, const at::Tensor& b, std::optional<c10::string_view> mode) {
  run(kDiv, a, b, {std::nullopt, mode}, Dest::kSelf, &a);
  return a;
}
at::Tensor& div_mode_out(const at::Tensor& a, const at::Tensor& b, std::optional<c10::string_view> mode,
                         at::Tensor& out) {
  run(kDiv, a, b, {std::nullopt, mode}, Dest::kOut, &out);
  return out;
}

// floor_divide is division rounded down (integers stay integers), as torch defines it.
constexpr c10::string_view kFloor = "floor";
at::Tensor floor_divide(const at::Tensor& a, const at::Tensor& b) { return div_mode(a, b, kFloor); }
at::Tensor& floor_divide_(at::Tensor& a, const at::Tensor& b) { return div_mode_(a, b, kFloor); }
at::Tensor& floor_divide_out(const at::Tensor& a, const at::Tensor& b, at::Tensor& out) {
  return div_mode_out(a, b, kFloor, out);
}

// pow(number, tensor) and its out= form.
at::Tensor scalar_base_pow(const at::Scalar& base, const at::Tensor& exponent) {
  return run(kPow, wrapped(base), exponent, {}, Dest::kNew, nullptr);
}
at::Tensor& scalar_base_pow_out(const at::Scalar& base, const at::Tensor& exponent, at::Tensor& out) {
  run(kPow, wrapped(base), exponent, {}, Dest::kOut, &out);
  return out;
}

// rsub(a, b, alpha) = b - alpha * a: subtract with the operands swapped (alpha scales the subtrahend).
at::Tensor rsub(const at::Tensor& a, const at::Tensor& b, const at::Scalar& alpha) {
  return run(kSub, b, a, {alpha, {}}, Dest::kNew, nullptr);
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))
// A functional, in-place and out= triple of one op.
#define TTNN_TRIPLE(base, overload, out_overload, kernel, constant)                                  \
  TTNN_NATIVE(#base "." #overload, ATEN_OP2(base, overload), &kernel<constant>);                   \
  TTNN_NATIVE(#base "_." #overload, ATEN_OP2(base##_, overload), &kernel##_<constant>);            \
  TTNN_NATIVE(#base "." #out_overload, ATEN_OP2(base, out_overload), &kernel##_out<constant>)

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_TRIPLE(add, Tensor, out, with_alpha, kAdd);
  TTNN_TRIPLE(sub, Tensor, out, with_alpha, kSub);
  TTNN_TRIPLE(mul, Tensor, out, plain, kMul);
  TTNN_TRIPLE(div, Tensor, out, plain, kDiv);
  TTNN_NATIVE("div.Tensor_mode", ATEN_OP2(div, Tensor_mode), &div_mode);
  TTNN_NATIVE("div_.Tensor_mode", ATEN_OP2(div_, Tensor_mode), &div_mode_);
  TTNN_NATIVE("div.out_mode", ATEN_OP2(div, out_mode), &div_mode_out);
  TTNN_NATIVE("floor_divide", ATEN_OP(floor_divide), &floor_divide);
  TTNN_NATIVE("floor_divide_.Tensor", ATEN_OP2(floor_divide_, Tensor), &floor_divide_);
  TTNN_NATIVE("floor_divide.out", ATEN_OP2(floor_divide, out), &floor_divide_out);
  TTNN_NATIVE("rsub.Tensor", ATEN_OP2(rsub, Tensor), &rsub);
  TTNN_TRIPLE(remainder, Tensor, Tensor_out, plain, kRemainder);
  TTNN_TRIPLE(fmod, Tensor, Tensor_out, plain, kFmod);
  TTNN_NATIVE("pow.Tensor_Tensor", ATEN_OP2(pow, Tensor_Tensor), &plain<kPow>);
  TTNN_NATIVE("pow_.Tensor", ATEN_OP2(pow_, Tensor), &plain_<kPow>);
  TTNN_NATIVE("pow.Tensor_Tensor_out", ATEN_OP2(pow, Tensor_Tensor_out), &plain_out<kPow>);
  TTNN_NATIVE("pow.Tensor_Scalar", ATEN_OP2(pow, Tensor_Scalar), &number<kPow>);
  TTNN_NATIVE("pow_.Scalar", ATEN_OP2(pow_, Scalar), &number_<kPow>);
  TTNN_NATIVE("pow.Tensor_Scalar_out", ATEN_OP2(pow, Tensor_Scalar_out), &number_out<kPow>);
  TTNN_NATIVE("pow.Scalar", ATEN_OP2(pow, Scalar), &scalar_base_pow);
  TTNN_NATIVE("pow.Scalar_out", ATEN_OP2(pow, Scalar_out), &scalar_base_pow_out);
  TTNN_NATIVE("maximum", ATEN_OP(maximum), &plain<kMaximum>);
  TTNN_NATIVE("maximum.out", ATEN_OP2(maximum, out), &plain_out<kMaximum>);
  TTNN_NATIVE("minimum", ATEN_OP(minimum), &plain<kMinimum>);
  TTNN_NATIVE("minimum.out", ATEN_OP2(minimum, out), &plain_out<kMinimum>);
  TTNN_TRIPLE(eq, Tensor, Tensor_out, plain, kEq);
  TTNN_TRIPLE(ne, Tensor, Tensor_out, plain, kNe);
  TTNN_TRIPLE(lt, Tensor, Tensor_out, plain, kLt);
  TTNN_TRIPLE(le, Tensor, Tensor_out, plain, kLe);
  TTNN_TRIPLE(gt, Tensor, Tensor_out, plain, kGt);
  TTNN_TRIPLE(ge, Tensor, Tensor_out, plain, kGe);
  TTNN_TRIPLE(eq, Scalar, Scalar_out, number, kEq);
  TTNN_TRIPLE(ne, Scalar, Scalar_out, number, kNe);
  TTNN_TRIPLE(lt, Scalar, Scalar_out, number, kLt);
  TTNN_TRIPLE(le, Scalar, Scalar_out, number, kLe);
  TTNN_TRIPLE(gt, Scalar, Scalar_out, number, kGt);
  TTNN_TRIPLE(ge, Scalar, Scalar_out, number, kGe);
  TTNN_NATIVE("logical_and", ATEN_OP(logical_and), &plain<kLogicalAnd>);
  TTNN_NATIVE("logical_and.out", ATEN_OP2(logical_and, out), &plain_out<kLogicalAnd>);
  TTNN_NATIVE("logical_or", ATEN_OP(logical_or), &plain<kLogicalOr>);
  TTNN_NATIVE("logical_or.out", ATEN_OP2(logical_or, out), &plain_out<kLogicalOr>);
  TTNN_NATIVE("logical_xor", ATEN_OP(logical_xor), &plain<kLogicalXor>);
  TTNN_NATIVE("logical_xor.out", ATEN_OP2(logical_xor, out), &plain_out<kLogicalXor>);
  TTNN_NATIVE("bitwise_and.Tensor", ATEN_OP2(bitwise_and, Tensor), &plain<kBitwiseAnd>);
  TTNN_NATIVE("bitwise_and.Tensor_out", ATEN_OP2(bitwise_and, Tensor_out), &plain_out<kBitwiseAnd>);
  TTNN_NATIVE("bitwise_or.Tensor", ATEN_OP2(bitwise_or, Tensor), &plain<kBitwiseOr>);
  TTNN_NATIVE("bitwise_or.Tensor_out", ATEN_OP2(bitwise_or, Tensor_out), &plain_out<kBitwiseOr>);
  TTNN_NATIVE("bitwise_xor.Tensor", ATEN_OP2(bitwise_xor, Tensor), &plain<kBitwiseXor>);
  TTNN_NATIVE("bitwise_xor.Tensor_out", ATEN_OP2(bitwise_xor, Tensor_out), &plain_out<kBitwiseXor>);
}

}  // namespace
}  // namespace ttnn_device::aten
