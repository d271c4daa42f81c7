#include "aten/int64_math.h"

#include <cstring>

#include "aten/native.h"
#include "aten/tt_view.h"
#include "core/tensor_access.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

TtTensor call(const char* op, const TtTensor& a, const ops::Value& b) {
  return ops::call1(op, {{"input_tensor_a", a}, {"input_tensor_b", b}});
}

// The low (signed INT32) and high words of an operand.
struct Words {
  TtTensor low, high;
};

TtTensor word(const TtTensor& pairs, int64_t which) {
  std::vector<int64_t> starts(pairs.shape.size(), 0), ends = pairs.shape;
  starts.back() = which;
  ends.back() = which + 1;
  TtTensor w = ops::call1("slice", {{"input_tensor", pairs}, {"starts", starts}, {"ends", ends}});
  return ops::call1("reshape", {{"input_tensor", w}, {"shape", std::vector<int64_t>(pairs.shape.begin(), pairs.shape.end() - 1)}});
}

TtTensor constant(int32_t value, c10::Device device) {
  return ops::call1("full", {{"shape", std::vector<int64_t>{1}}, {"fill_value", static_cast<double>(value)},
                             {"dtype", DataType::INT32}, {"layout", Layout::ROW_MAJOR},
                             {"device", static_cast<int64_t>(device.index())}});
}

Words words_of(const at::Tensor& t, c10::Device device) {
  if (!core::is_ttnn(t)) {  // a CPU 0-d number
    const int64_t v = t.item().toLong();
    const uint64_t bits = static_cast<uint64_t>(v);
    int32_t low, high;
    const uint32_t low_bits = static_cast<uint32_t>(bits), high_bits = static_cast<uint32_t>(bits >> 32);
    std::memcpy(&low, &low_bits, 4);
    std::memcpy(&high, &high_bits, 4);
    return {constant(low, device), constant(high, device)};
  }
  if (t.scalar_type() == c10::kLong) {
    at::Tensor shaped = t.dim() == 0 ? t.reshape({1}) : t;
    TtTensor pairs = to_tt(as_words(shaped), /*math=*/false);
    Words w{word(pairs, 0), word(pairs, 1)};
    if (t.dim() == 0) {
      w.low = ops::call1("reshape", {{"input_tensor", w.low}, {"shape", std::vector<int64_t>{}}});
      w.high = ops::call1("reshape", {{"input_tensor", w.high}, {"shape", std::vector<int64_t>{}}});
    }
    return w;
  }
  if (t.scalar_type() != c10::kInt && t.scalar_type() != c10::kBool && t.scalar_type() != c10::kByte) {
    decline(std::string("int64 math with a ") + c10::toString(t.scalar_type()) + " operand");
  }
  TtTensor low = cast(to_tt(t), DataType::INT32);
  return {low, ops::call1("neg", {{"input_tensor", call("lt", low, 0.0)}})};  // the sign word
}

// 1/0 INT32: x < y as unsigned 32-bit numbers (how the low words order). Within one sign the signed
// order is the unsigned one; across signs the negative (as unsigned, >= 2^31) is the larger.
TtTensor unsigned_less(const TtTensor& x, const TtTensor& y) {
  TtTensor x_high = call("lt", x, 0.0), y_high = call("lt", y, 0.0);
  TtTensor same = call("eq", x_high, y_high);
  return ops::call1("where", {{"predicate", same}, {"true_value", call("lt", x, y)}, {"false_value", y_high}});
}

TtTensor less(const Words& a, const Words& b) {
  TtTensor high_less = call("lt", a.high, b.high);
  TtTensor high_equal = call("eq", a.high, b.high);
  return call("add", high_less, call("multiply", high_equal, unsigned_less(a.low, b.low)));  // exclusive cases
}

TtTensor equal(const Words& a, const Words& b) {
  return call("multiply", call("eq", a.low, b.low), call("eq", a.high, b.high));
}

// `t` (broadcastable to `sizes`) with exactly those sizes.
TtTensor to_sizes(const TtTensor& t, c10::IntArrayRef sizes) {
  const std::vector<int64_t> shape(sizes.begin(), sizes.end());
  if (t.shape == shape) return t;
  if (t.numel() == c10::multiply_integers(sizes)) return ops::call1("reshape", {{"input_tensor", t}, {"shape", shape}});
  return ops::call1("expand", {{"input_tensor", t}, {"output_shape", shape}});
}

at::Tensor as_bool(const TtTensor& truth, c10::IntArrayRef sizes) {
  return wrap(cast(to_sizes(truth, sizes), DataType::UINT8), c10::kBool, sizes);
}

}  // namespace

bool int64_supports(const char* op) {
  for (const char* name : {"add", "subtract", "eq", "ne", "lt", "le", "gt", "ge"}) {
    if (std::strcmp(op, name) == 0) return true;
  }
  return false;
}

at::Tensor int64_binary(const char* op_name, const at::Tensor& a, const at::Tensor& b, const std::optional<at::Scalar>& alpha) {
  const std::string op = op_name;
  if (alpha && alpha->toLong() != 1) decline("int64 add/sub with alpha other than 1");
  const c10::Device device = core::is_ttnn(a) ? a.device() : b.device();
  const auto sizes = at::infer_size(a.sizes(), b.sizes());
  const Words wa = words_of(a, device), wb = words_of(b, device);
  if (op == "eq") return as_bool(equal(wa, wb), sizes);
  if (op == "ne") return as_bool(call("eq", equal(wa, wb), 0.0), sizes);
  if (op == "lt") return as_bool(less(wa, wb), sizes);
  if (op == "gt") return as_bool(less(wb, wa), sizes);
  if (op == "le") return as_bool(call("eq", less(wb, wa), 0.0), sizes);
  if (op == "ge") return as_bool(call("eq", less(wa, wb), 0.0), sizes);
  // add / subtract: the low words wrap (two's complement), the carry or borrow moves to the high words.
  TtTensor low, high;
  if (op == "add") {
    low = call("add", wa.low, wb.low);
    high = call("add", call("add", wa.high, wb.high), unsigned_less(low, wa.low));
  } else {
    low = call("subtract", wa.low, wb.low);
    high = call("subtract", call("subtract", wa.high, wb.high), unsigned_less(wa.low, wb.low));
  }
  return wrap_int64_words(to_sizes(low, sizes), to_sizes(high, sizes), sizes);
}

}  // namespace ttnn_device::aten
