// The reference device's elementwise ops: each computes in fp32 (or the integer type) on the stored
// values and rounds once to the output's data type, as TT-NN's SFPU/FPU paths do.
#include <ATen/ATen.h>
#include <ATen/native/Resize.h>

#include "ops/dispatch.h"
#include "ops/sim/flat_eltwise.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

// The main tensor of a call whose first operand may be a number.
const TtTensor& main_tensor(const Args& args, const char* first, const char* second) {
  return args.is_tensor(first) ? args.tensor(first) : args.tensor(second);
}

c10::ScalarType math_type(DataType out) {
  const auto t = compute_type(host_type_for(out));
  return at::isFloatingType(t) ? c10::kFloat : t;
}

// Output shape = broadcast of the operands, layout and dtype from the main input (or `dtype`).
TtTensor finish_elementwise(const char* op, const Args& args, const TtTensor& main, const at::Tensor& result) {
  const DataType dtype = output_dtype(args, main.dtype);
  return store(result, main.device(), output_layout(op, main.layout), dtype);
}

// Binary ops write straight into the output's values (device memory itself for plain formats): computing
// into a temporary and copying it would double the memory traffic of the commonest ops.
using BinaryFn = void (*)(at::Tensor& out, const at::Tensor& a, const at::Tensor& b);

// Elementwise ops on TILE operands compute on the tiles in place (as the card's cores do), padding
// included, when every operand and the output hold plain elements; else on the logical values.
bool tiles_possible(const char* op, const TtTensor& main, DataType dtype) {
  return output_layout(op, main.layout) == Layout::TILE && !runtime::is_block_float(dtype);
}

// The output and the operands' tile views, when the call can compute on tiles (checked cheaply first:
// a small row-major call must not pay for building views).
struct TileCall {
  std::vector<at::Tensor> views;
  Output out;
};
std::optional<TileCall> tile_call(const char* op, const Args& args, const TtTensor& main, DataType dtype,
                                  std::initializer_list<const char*> names, bool same_shape_as_main = false) {
  if (!tiles_possible(op, main, dtype)) return std::nullopt;
  auto tiles = tile_operands(args, names);
  if (!tiles) return std::nullopt;
  Output out(main.device(), same_shape_as_main ? main.shape : tiles->shape, Layout::TILE, dtype, /*in_tiles=*/true);
  if (!out.in_tiles()) return std::nullopt;
  return TileCall{std::move(tiles->views), std::move(out)};
}

// Ops with a flat loop (flat_eltwise.h) try it first.
constexpr FlatOp kNone = FlatOp::kNone;

template <BinaryFn fn, bool kCompare, FlatOp kFlat>
std::vector<TtTensor> binary(const char* op, const Args& args) {
  if constexpr (kFlat != kNone) {
    if (auto done = flat_binary(kFlat, op, args)) return single(std::move(*done));
  }
  const TtTensor& main = main_tensor(args, "input_tensor_a", "input_tensor_b");
  const DataType dtype = output_dtype(args, main.dtype);
  auto in_math_type = [&](const at::Tensor& x) { return kCompare ? x : x.to(math_type(dtype)); };
  if (auto call = tile_call(op, args, main, dtype, {"input_tensor_a", "input_tensor_b"})) {
    fn(call->out.tiles(), in_math_type(call->views[0]), in_math_type(call->views[1]));
    return {call->out.finish()};
  }
  at::Tensor a = in_math_type(read_operand(args, "input_tensor_a"));
  at::Tensor b = in_math_type(read_operand(args, "input_tensor_b"));
  const auto sizes = at::infer_size(a.sizes(), b.sizes());
  Output out(main.device(), Shape(sizes.begin(), sizes.end()), output_layout(op, main.layout), dtype);
  fn(out.values(), a, b);
  return {out.finish()};
}

#define TTNN_SIM_BINARY(name, out_fn, compare, flat)                                                          \
  void name##_fn(at::Tensor& out, const at::Tensor& a, const at::Tensor& b) { out_fn(out, a, b); }            \
  std::vector<TtTensor> name##_impl(const Args& args) { return binary<name##_fn, compare, flat>(#name, args); }

TTNN_SIM_BINARY(add, at::add_out, false, FlatOp::kAdd)
TTNN_SIM_BINARY(subtract, at::sub_out, false, FlatOp::kSubtract)
TTNN_SIM_BINARY(multiply, at::mul_out, false, FlatOp::kMultiply)
TTNN_SIM_BINARY(maximum, at::maximum_out, false, kNone)
TTNN_SIM_BINARY(minimum, at::minimum_out, false, kNone)
TTNN_SIM_BINARY(remainder, at::remainder_out, false, kNone)
TTNN_SIM_BINARY(fmod, at::fmod_out, false, kNone)
TTNN_SIM_BINARY(bitwise_and, at::bitwise_and_out, false, kNone)
TTNN_SIM_BINARY(bitwise_or, at::bitwise_or_out, false, kNone)
TTNN_SIM_BINARY(bitwise_xor, at::bitwise_xor_out, false, kNone)
TTNN_SIM_BINARY(bitwise_left_shift, at::bitwise_left_shift_out, false, kNone)
TTNN_SIM_BINARY(bitwise_right_shift, at::bitwise_right_shift_out, false, kNone)
TTNN_SIM_BINARY(eq, at::eq_out, true, kNone)
TTNN_SIM_BINARY(ne, at::ne_out, true, kNone)
TTNN_SIM_BINARY(lt, at::lt_out, true, kNone)
TTNN_SIM_BINARY(le, at::le_out, true, kNone)
TTNN_SIM_BINARY(gt, at::gt_out, true, kNone)
TTNN_SIM_BINARY(ge, at::ge_out, true, kNone)
TTNN_SIM_BINARY(logical_and, at::logical_and_out, true, kNone)
TTNN_SIM_BINARY(logical_or, at::logical_or_out, true, kNone)
TTNN_SIM_BINARY(logical_xor, at::logical_xor_out, true, kNone)
#undef TTNN_SIM_BINARY

// divide: integer operands divide in fp32 unless a rounding mode keeps them integer.
std::vector<TtTensor> divide_impl(const Args& args) {
  const TtTensor& main = main_tensor(args, "input_tensor_a", "input_tensor_b");
  const std::string mode = args.text("rounding_mode", std::string());
  at::Tensor a = read_operand(args, "input_tensor_a");
  at::Tensor b = read_operand(args, "input_tensor_b");
  const DataType dtype = output_dtype(args, main.dtype);
  const auto t = math_type(dtype);
  at::Tensor result;
  if (mode.empty()) {
    result = at::div(a.to(at::isIntegralType(t, true) ? c10::kFloat : t), b.to(at::isIntegralType(t, true) ? c10::kFloat : t));
  } else if (mode == "trunc" && compute_type(host_type_for(dtype)) == c10::kBFloat16) {
    // bfloat16: the quotient is rounded to bfloat16 before it is truncated (TT-NN's golden, torch).
    result = at::trunc(at::div(a.to(t), b.to(t)).to(c10::kBFloat16).to(t));
  } else {
    result = at::div(a.to(t), b.to(t), mode);
  }
  return {finish_elementwise("divide", args, main, result)};
}

void pow_number(at::Tensor& out, const at::Tensor& x, const Args& args) { at::pow_out(out, x, args.number("exponent")); }

std::vector<TtTensor> pow_impl(const Args& args) {
  const TtTensor& main = args.tensor("input_tensor");
  if (!args.is_tensor("exponent")) {  // a number exponent (GELU's tanh form cubes its input)
    if (auto done = on_stored_elements(main, output_layout("pow", main.layout), output_dtype(args, main.dtype), args,
                                       pow_number)) {
      return single(std::move(*done));
    }
  }
  const auto t = math_type(output_dtype(args, main.dtype));
  at::Tensor a = read(main).to(t);
  at::Tensor result = args.is_tensor("exponent") ? at::pow(a, read(args.tensor("exponent")).to(t))
                                                 : at::pow(a, args.number("exponent"));
  return {finish_elementwise("pow", args, main, result)};
}

// Ternary ops: every operand a tensor or a number.
std::vector<TtTensor> where_impl(const Args& args) {
  const TtTensor& pred = args.tensor("predicate");
  const TtTensor& main = args.is_tensor("true_value") ? args.tensor("true_value")
                         : args.is_tensor("false_value") ? args.tensor("false_value") : pred;
  const auto t = math_type(main.dtype);
  auto select = [&](const at::Tensor& p, const at::Tensor& a, const at::Tensor& b) {
    const at::Tensor chosen = p.ne(0);
    // A predicate that selects one side everywhere (an attention mask with nothing masked, the common
    // case) gives that operand whole: a pass over the predicate instead of a three-way broadcast select.
    const bool any = chosen.any().item<bool>();
    if (!any || chosen.all().item<bool>()) {
      const auto shape = at::infer_size(at::infer_size(p.sizes(), a.sizes()), b.sizes());
      return (any ? a : b).to(t).expand(shape);
    }
    return at::where(chosen, a.to(t), b.to(t));
  };
  if (auto call = tile_call("where", args, main, main.dtype, {"predicate", "true_value", "false_value"})) {
    const auto& v = call->views;
    return {call->out.finish_with(select(v[0], v[1], v[2]))};
  }
  at::Tensor result = select(read(pred), read_operand(args, "true_value"), read_operand(args, "false_value"));
  return {store(result, main.device(), output_layout("where", main.layout), main.dtype)};
}

std::vector<TtTensor> lerp_impl(const Args& args) {
  const TtTensor& main = args.tensor("input");
  at::Tensor a = read(main).to(c10::kFloat), end = read(args.tensor("end")).to(c10::kFloat);
  at::Tensor result = args.is_tensor("weight") ? at::lerp(a, end, read(args.tensor("weight")).to(c10::kFloat))
                                               : at::lerp(a, end, args.number("weight"));
  return {store(result, main.device(), output_layout("lerp", main.layout), main.dtype)};
}

template <bool kDivide>
std::vector<TtTensor> addc_impl(const Args& args) {
  const TtTensor& main = args.tensor("input_a");
  at::Tensor a = read(main).to(c10::kFloat);
  at::Tensor b = read(args.tensor("input_b")).to(c10::kFloat), c = read(args.tensor("input_c")).to(c10::kFloat);
  const double value = args.number("value", 1.0);
  at::Tensor result = kDivide ? at::addcdiv(a, b, c, value) : at::addcmul(a, b, c, value);
  return {store(result, main.device(), output_layout(kDivide ? "addcdiv" : "addcmul", main.layout), main.dtype)};
}

// mac: a * b + c in fp32, the product rounded before the sum (TT-NN's golden), stored in a's data type.
std::vector<TtTensor> mac_impl(const Args& args) {
  if (auto done = flat_mac(args)) return single(std::move(*done));
  const TtTensor& main = args.tensor("input_tensor_a");
  auto value = [&](const char* name) { return read_operand(args, name).to(c10::kFloat); };
  at::Tensor result = at::mul(value("input_tensor_a"), value("input_tensor_b")).add_(value("input_tensor_c"));
  return {store(result, main.device(), output_layout("mac", main.layout), main.dtype)};
}

void clamp_numbers(at::Tensor& out, const at::Tensor& x, const Args& args) {
  std::optional<at::Scalar> lo, hi;
  if (args.has("min")) lo = args.number("min");
  if (args.has("max")) hi = args.number("max");
  at::clamp_out(out, x, lo, hi);
}

std::vector<TtTensor> clamp_impl(const Args& args) {
  const TtTensor& main = args.tensor("input_tensor");
  const auto t = math_type(main.dtype);
  const bool has_min = args.has("min"), has_max = args.has("max");
  if ((!has_min || !args.is_tensor("min")) && (!has_max || !args.is_tensor("max"))) {
    if (auto done = on_stored_elements(main, output_layout("clamp", main.layout), main.dtype, args, clamp_numbers)) {
      return single(std::move(*done));
    }
  }
  // views: the input, then min and max where given
  auto clamp = [&](const std::vector<at::Tensor>& views) {
    std::optional<at::Tensor> lo, hi;
    if (has_min) lo = views[1].to(t);
    if (has_max) hi = views[has_min ? 2 : 1].to(t);
    return at::clamp(views[0].to(t), lo, hi);
  };
  if (auto call = tile_call("clamp", args, main, main.dtype, {"input_tensor", "min", "max"})) {
    return {call->out.finish_with(clamp(call->views))};
  }
  std::vector<at::Tensor> values = {read(main)};
  if (has_min) values.push_back(read_operand(args, "min"));
  if (has_max) values.push_back(read_operand(args, "max"));
  return {store(clamp(values), main.device(), output_layout("clamp", main.layout), main.dtype)};
}

// Unary ops: fp32 math on the stored values (integers stay integers where TT-NN keeps them). Each is
// written once as `out = f(x)` (the ATen out= form): FLOAT32 tensors compute straight from their stored
// elements into the output's, the rest on values read and stored.
using UnaryOutFn = void (*)(at::Tensor& out, const at::Tensor& x, const Args& args);

template <UnaryOutFn fn, bool kFloatMath, FlatOp kFlat = kNone>
std::vector<TtTensor> unary(const char* op, const Args& args) {
  if constexpr (kFlat != kNone) {
    if (auto done = flat_unary(kFlat, op, args)) return single(std::move(*done));
  }
  const TtTensor& main = args.tensor("input_tensor");
  if (auto done = on_stored_elements(main, output_layout(op, main.layout), output_dtype(args, main.dtype), args, fn)) {
    return single(std::move(*done));
  }
  auto in_math_type = [](const at::Tensor& x) {
    return kFloatMath || at::isFloatingType(x.scalar_type()) ? x.to(c10::kFloat) : x;
  };
  auto compute = [&](const at::Tensor& x) {
    at::Tensor out = at::empty({0}, x.options());
    fn(out, x, args);
    return out;
  };
  if (auto call = tile_call(op, args, main, main.dtype, {"input_tensor"}, /*same_shape_as_main=*/true)) {
    return {call->out.finish_with(compute(in_math_type(call->views[0])))};
  }
  return {store(compute(in_math_type(read(main))), main.device(), output_layout(op, main.layout), main.dtype)};
}

// `expr` computes into `out` (resized by it) from `x`.
#define TTNN_SIM_UNARY_WITH(name, expr, float_math, flat)                                              \
  void name##_fn(at::Tensor& out, const at::Tensor& x, const Args& args) {                             \
    (void)args;                                                                                         \
    expr;                                                                                               \
  }                                                                                                     \
  std::vector<TtTensor> name##_impl(const Args& args) { return unary<name##_fn, float_math, flat>(#name, args); }
#define TTNN_SIM_UNARY(name, expr, float_math) TTNN_SIM_UNARY_WITH(name, expr, float_math, kNone)
// Ops ATen has no out= form for: computed, then copied.
#define TTNN_SIM_UNARY_COPIED(name, expr, float_math) \
  TTNN_SIM_UNARY(name, { at::Tensor r = expr; at::native::resize_output(out, r.sizes()); out.copy_(r); }, float_math)

TTNN_SIM_UNARY_WITH(relu, at::clamp_min_out(out, x, 0), false, FlatOp::kRelu)
TTNN_SIM_UNARY(gelu, at::gelu_out(out, x, args.flag("fast_and_approximate_mode", false) ? "tanh" : "none"), true)
TTNN_SIM_UNARY(silu, at::silu_out(out, x), true)
TTNN_SIM_UNARY(sigmoid, at::sigmoid_out(out, x), true)
TTNN_SIM_UNARY(tanh, at::tanh_out(out, x), true)
TTNN_SIM_UNARY(exp, at::exp_out(out, x), true)
TTNN_SIM_UNARY(log, at::log_out(out, x), true)
TTNN_SIM_UNARY(log2, at::log2_out(out, x), true)
TTNN_SIM_UNARY(log1p, at::log1p_out(out, x), true)
TTNN_SIM_UNARY(sqrt, at::sqrt_out(out, x), true)
TTNN_SIM_UNARY(rsqrt, at::rsqrt_out(out, x), true)
TTNN_SIM_UNARY(reciprocal, at::reciprocal_out(out, x), true)
TTNN_SIM_UNARY(neg, at::neg_out(out, x), false)
TTNN_SIM_UNARY(abs, at::abs_out(out, x), false)
TTNN_SIM_UNARY(sign, at::sign_out(out, x), false)
TTNN_SIM_UNARY(square, at::mul_out(out, x, x), false)
TTNN_SIM_UNARY(erf, at::erf_out(out, x), true)
TTNN_SIM_UNARY(floor, at::floor_out(out, x), true)
TTNN_SIM_UNARY(ceil, at::ceil_out(out, x), true)
TTNN_SIM_UNARY(round, at::round_out(out, x, args.integer("decimals", 0)), true)
TTNN_SIM_UNARY(trunc, at::trunc_out(out, x), true)
TTNN_SIM_UNARY(sin, at::sin_out(out, x), true)
TTNN_SIM_UNARY(cos, at::cos_out(out, x), true)
TTNN_SIM_UNARY(hardswish, at::hardswish_out(out, x), true)
TTNN_SIM_UNARY(hardsigmoid, at::hardsigmoid_out(out, x), true)
TTNN_SIM_UNARY(hardtanh, at::hardtanh_out(out, x, args.number("min_val", -1.0), args.number("max_val", 1.0)), true)
TTNN_SIM_UNARY(leaky_relu, at::leaky_relu_out(out, x, args.number("negative_slope", 0.01)), true)
TTNN_SIM_UNARY(elu, at::elu_out(out, x, args.number("alpha", 1.0)), true)
TTNN_SIM_UNARY(softplus, at::softplus_out(out, x, args.number("beta", 1.0), args.number("threshold", 20.0)), true)
TTNN_SIM_UNARY(mish, at::mish_out(out, x), true)
TTNN_SIM_UNARY_COPIED(isnan, at::isnan(x), true)
TTNN_SIM_UNARY_COPIED(isinf, at::isinf(x), true)
TTNN_SIM_UNARY_COPIED(isfinite, at::isfinite(x), true)
TTNN_SIM_UNARY(logical_not, at::logical_not_out(out, x), false)
TTNN_SIM_UNARY(bitwise_not, at::bitwise_not_out(out, x), false)
#undef TTNN_SIM_UNARY_COPIED
#undef TTNN_SIM_UNARY
#undef TTNN_SIM_UNARY_WITH

// Backward ops: fp32 math on the gradient and the forward input, stored in the gradient's data type.
std::vector<TtTensor> gelu_bw_impl(const Args& args) {
  const TtTensor& grad = args.tensor("grad_tensor");
  at::Tensor result = at::gelu_backward(read(grad).to(c10::kFloat), read(args.tensor("input_tensor")).to(c10::kFloat));
  return {store(result, grad.device(), output_layout("gelu_bw", grad.layout), grad.dtype)};
}

const bool registered = [] {
  register_impls("sim", {
      {"add", add_impl}, {"subtract", subtract_impl}, {"multiply", multiply_impl}, {"divide", divide_impl},
      {"pow", pow_impl}, {"maximum", maximum_impl}, {"minimum", minimum_impl}, {"remainder", remainder_impl},
      {"fmod", fmod_impl}, {"eq", eq_impl}, {"ne", ne_impl}, {"lt", lt_impl}, {"le", le_impl}, {"gt", gt_impl},
      {"ge", ge_impl}, {"logical_and", logical_and_impl}, {"logical_or", logical_or_impl},
      {"logical_xor", logical_xor_impl}, {"bitwise_and", bitwise_and_impl}, {"bitwise_or", bitwise_or_impl},
      {"bitwise_xor", bitwise_xor_impl}, {"bitwise_left_shift", bitwise_left_shift_impl},
      {"bitwise_right_shift", bitwise_right_shift_impl}, {"where", where_impl}, {"lerp", lerp_impl},
      {"addcmul", addc_impl<false>}, {"mac", mac_impl}, {"addcdiv", addc_impl<true>}, {"clamp", clamp_impl},
      {"relu", relu_impl}, {"gelu", gelu_impl}, {"silu", silu_impl}, {"sigmoid", sigmoid_impl},
      {"tanh", tanh_impl}, {"exp", exp_impl}, {"log", log_impl}, {"log2", log2_impl}, {"log1p", log1p_impl},
      {"sqrt", sqrt_impl}, {"rsqrt", rsqrt_impl}, {"reciprocal", reciprocal_impl}, {"neg", neg_impl},
      {"abs", abs_impl}, {"sign", sign_impl}, {"square", square_impl}, {"erf", erf_impl}, {"floor", floor_impl},
      {"ceil", ceil_impl}, {"round", round_impl}, {"trunc", trunc_impl}, {"sin", sin_impl}, {"cos", cos_impl},
      {"hardswish", hardswish_impl}, {"hardsigmoid", hardsigmoid_impl}, {"hardtanh", hardtanh_impl},
      {"leaky_relu", leaky_relu_impl}, {"elu", elu_impl}, {"softplus", softplus_impl}, {"mish", mish_impl},
      {"isnan", isnan_impl}, {"isinf", isinf_impl}, {"isfinite", isfinite_impl},
      {"logical_not", logical_not_impl}, {"bitwise_not", bitwise_not_impl}, {"gelu_bw", gelu_bw_impl},
  });
  return true;
}();

}  // namespace
}  // namespace ttnn_device::ops::sim
