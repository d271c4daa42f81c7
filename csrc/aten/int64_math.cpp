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

// Where `pick` (INT32 1/0) is 1, `when_set`, else `otherwise` (a tensor or a number), bit for bit: through
// masks, not a select that could round words through floating point.
TtTensor pick_bits(const TtTensor& pick, const TtTensor& when_set, const ops::Value& otherwise) {
  const TtTensor mask = ops::call1("neg", {{"input_tensor", pick}});  // all ones where picked
  const TtTensor kept = call("bitwise_and", when_set, mask);
  const TtTensor filled = call("bitwise_and", ops::call1("bitwise_not", {{"input_tensor", mask}}), otherwise);
  return call("bitwise_or", kept, filled);
}

Words pick_words(const TtTensor& pick, const Words& a, const Words& b) {
  return {pick_bits(pick, a.low, b.low), pick_bits(pick, a.high, b.high)};
}

// `bits` wide field of t starting at bit `shift` (a nonnegative INT32).
TtTensor field(const TtTensor& t, int shift, int bits) {
  const TtTensor moved = shift == 0 ? t : call("bitwise_right_shift", t, static_cast<double>(shift));
  return call("bitwise_and", moved, static_cast<double>((1 << bits) - 1));
}

// a * b mod 2^64 from a's four 16-bit limbs and b's eight 8-bit limbs: each partial product is below
// 2^24 and each 16-bit column sums to below 2^28, so only exact integer multiplies, adds, masks and
// shifts are used (products straddling a column are split at the column's edge); the column carries
// then move up.
Words multiply_words(const Words& a, const Words& b) {
  const TtTensor a16[4] = {field(a.low, 0, 16), field(a.low, 16, 16), field(a.high, 0, 16), field(a.high, 16, 16)};
  TtTensor column[4];
  bool started[4] = {false, false, false, false};
  auto add_to = [&](int k, const TtTensor& t) {
    if (k > 3) return;
    column[k] = started[k] ? call("add", column[k], t) : t;
    started[k] = true;
  };
  for (int j = 0; j < 8; ++j) {
    const TtTensor b8 = field(j < 4 ? b.low : b.high, 8 * (j % 4), 8);
    for (int i = 0; i < 4; ++i) {
      const int position = 16 * i + 8 * j;
      if (position >= 64) continue;
      const TtTensor product = call("multiply", a16[i], b8);
      if (position % 16 == 0) {
        add_to(position / 16, product);
      } else {
        add_to(position / 16, call("bitwise_left_shift", field(product, 0, 8), 8.0));
        add_to(position / 16 + 1, call("bitwise_right_shift", product, 8.0));
      }
    }
  }
  TtTensor limb[4], carry;
  for (int k = 0; k < 4; ++k) {
    const TtTensor sum = k == 0 ? column[0] : call("add", column[k], carry);
    limb[k] = field(sum, 0, 16);
    carry = call("bitwise_right_shift", sum, 16.0);
  }
  auto join = [](const TtTensor& lower, const TtTensor& upper) {
    return call("bitwise_or", lower, call("bitwise_left_shift", upper, 16.0));
  };
  return {join(limb[0], limb[1]), join(limb[2], limb[3])};
}

// 1 in words of w's shape.
Words one_like(const Words& w) {
  return {call("add", call("multiply", w.low, 0.0), 1.0), call("multiply", w.high, 0.0)};
}

// 1/0: where w is not zero.
TtTensor nonzero_of(const Words& w) { return call("ne", call("bitwise_or", w.low, w.high), 0.0); }

// A bool condition broadcast to `sizes` as INT32 1/0 (0-d kept 0-d).
TtTensor condition_pick(const at::Tensor& condition, c10::IntArrayRef sizes) {
  const at::Tensor spread = condition.expand(sizes);
  TtTensor pick = cast(to_tt(sizes.empty() ? spread.reshape({1}) : spread, /*math=*/false), DataType::INT32);
  if (sizes.empty()) pick = ops::call1("reshape", {{"input_tensor", pick}, {"shape", std::vector<int64_t>{}}});
  return pick;
}

at::Tensor wrap_words(const Words& w, c10::IntArrayRef sizes) {
  return wrap_int64_words(to_sizes(w.low, sizes), to_sizes(w.high, sizes), sizes);
}

Words zero_words(c10::Device device) { return {constant(0, device), constant(0, device)}; }

// a + b and a - b: the low words wrap (two's complement), the carry or borrow moves to the high words.
Words add_words(const Words& a, const Words& b) {
  const TtTensor low = call("add", a.low, b.low);
  return {low, call("add", call("add", a.high, b.high), unsigned_less(low, a.low))};
}
Words subtract_words(const Words& a, const Words& b) {
  return {call("subtract", a.low, b.low),
          call("subtract", call("subtract", a.high, b.high), unsigned_less(a.low, b.low))};
}

// The FLOAT32 nearest (or next to nearest) to an int64: high * 2^32 + the low word read unsigned.
TtTensor approximate(const Words& w) {
  const TtTensor high = call("add", cast(w.high, DataType::FLOAT32), call("lt", w.low, 0.0));
  return call("add", call("multiply", high, 4294967296.0), cast(w.low, DataType::FLOAT32));
}

// The words of integer-valued FLOAT32 numbers, exact for every value an int64 holds, in steps that cannot
// round: t = h * 2^32 + r with h = trunc(t / 2^32) (a power-of-two scaling) and |r| < 2^32 (a multiple
// of t's ulp, so representable). r's low word lw is r moved by 2^32 into [-2^31, 2^31) (k = -1, 0 or 1
// times), and the high word is h + k, less one where lw is negative (two's complement reads lw + 2^32).
Words words_of_integral_floats(const TtTensor& t) {
  const double two32 = 4294967296.0, two31 = 2147483648.0;
  const TtTensor h = ops::call1("trunc", {{"input_tensor", call("multiply", t, 1.0 / two32)}});
  const TtTensor r = call("subtract", t, call("multiply", h, two32));
  const TtTensor k = call("subtract", call("ge", r, two31), call("lt", r, -two31));
  const TtTensor lw = call("subtract", r, call("multiply", k, two32));
  const TtTensor high = call("subtract", call("add", h, k), call("lt", lw, 0.0));
  return {cast(lw, DataType::INT32), cast(high, DataType::INT32)};
}

// floor(a / b) and a - floor(a / b) * b for int64 words: a FLOAT32 quotient estimate, refined twice by
// the estimate of what its exact remainder still holds (each step gains ~22 bits, enough for 64), then
// moved by one where the remainder's sign or size shows it is off by one. Only the estimates round; the
// products and remainders are exact (multiply_words, subtract_words). Division by zero is not checked.
std::pair<Words, Words> floor_divide_words(const Words& a, const Words& b) {
  const TtTensor divisor = approximate(b);
  auto estimate = [&](const Words& dividend) {
    return words_of_integral_floats(ops::call1("floor", {{"input_tensor", call("divide", approximate(dividend), divisor)}}));
  };
  Words q = estimate(a);
  for (int step = 0; step < 2; ++step) q = add_words(q, estimate(subtract_words(a, multiply_words(q, b))));
  Words r = subtract_words(a, multiply_words(q, b));
  const Words one = one_like(b);
  const TtTensor negative_divisor = call("lt", b.high, 0.0);
  auto is_negative = [](const Words& w) { return call("lt", w.high, 0.0); };
  // r on the wrong side of zero: one less (r + b).
  const TtTensor below = call("logical_and", nonzero_of(r), call("ne", is_negative(r), negative_divisor));
  const TtTensor step_down = cast(below, DataType::INT32);
  q = pick_words(step_down, subtract_words(q, one), q);
  r = pick_words(step_down, add_words(r, b), r);
  // r a whole b or more (on b's side): one more (r - b).
  const TtTensor reached = cast(ops::call1("where", {{"predicate", negative_divisor}, {"true_value", call("eq", less(b, r), 0.0)},
                                                      {"false_value", call("eq", less(r, b), 0.0)}}), DataType::INT32);
  return {pick_words(reached, add_words(q, one), q), pick_words(reached, subtract_words(r, b), r)};
}

}  // namespace

bool int64_supports(const char* op) {
  for (const char* name : {"add", "subtract", "multiply", "divide", "remainder", "fmod", "maximum", "minimum", "eq", "ne",
                           "lt", "le", "gt", "ge",
                           "bitwise_and", "bitwise_or", "bitwise_xor"}) {
    if (std::strcmp(op, name) == 0) return true;
  }
  return false;
}

at::Tensor int64_binary(const char* op_name, const at::Tensor& a, const at::Tensor& b, const std::optional<at::Scalar>& alpha,
                        std::optional<c10::string_view> rounding_mode) {
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
  if (op == "multiply") return wrap_words(multiply_words(wa, wb), sizes);
  if (op == "divide" || op == "remainder" || op == "fmod") {
    const std::string mode = rounding_mode ? std::string(*rounding_mode) : "";
    if (op == "divide" && mode != "floor" && mode != "trunc") decline("an int64 division without rounding");
    auto [q, r] = floor_divide_words(wa, wb);
    if (op == "remainder" || (op == "divide" && mode == "floor")) return wrap_words(op == "divide" ? q : r, sizes);
    // Toward zero: where a remainder is left and a and b differ in sign, floor went one further.
    const TtTensor fix = cast(call("logical_and", nonzero_of(r), call("ne", call("lt", wa.high, 0.0), call("lt", wb.high, 0.0))),
                              DataType::INT32);
    return op == "divide" ? wrap_words(pick_words(fix, add_words(q, one_like(q)), q), sizes)
                          : wrap_words(pick_words(fix, subtract_words(r, wb), r), sizes);
  }
  if (op == "minimum") return wrap_words(pick_words(less(wa, wb), wa, wb), sizes);
  if (op == "maximum") return wrap_words(pick_words(less(wa, wb), wb, wa), sizes);
  // bitwise ops: word by word (a narrower operand's high word is its sign word, as int64 promotion gives)
  if (op.rfind("bitwise", 0) == 0) {
    return wrap_int64_words(to_sizes(call(op_name, wa.low, wb.low), sizes), to_sizes(call(op_name, wa.high, wb.high), sizes), sizes);
  }
  if (op == "add") return wrap_words(add_words(wa, wb), sizes);
  return wrap_words(subtract_words(wa, wb), sizes);
}

at::Tensor int64_bitwise_not(const at::Tensor& x) {
  const Words w = words_of(x, x.device());
  auto invert = [](const TtTensor& t) { return ops::call1("bitwise_not", {{"input_tensor", t}}); };
  return wrap_int64_words(to_sizes(invert(w.low), x.sizes()), to_sizes(invert(w.high), x.sizes()), x.sizes());
}

// cumsum of v = high * 2^32 + low (low unsigned) as three INT32 cumsums that cannot overflow: of the high
// words, and of the low words' two 16-bit halves (each below 2^16, so up to 32768 of them sum below 2^31);
// then the carries move up: low half -> high half -> high word. Only integer adds, cumsums, masks and
// shifts: exact on the card too (no step goes through floating point).
constexpr int64_t kMaxExactCumsum = 32768;

at::Tensor int64_cumsum(const at::Tensor& x, int64_t dim) {
  dim = c10::maybe_wrap_dim(dim, x.dim());
  if (x.size(dim) > kMaxExactCumsum) decline("an int64 cumulative sum along more than 32768 elements");
  const Words w = words_of(x, x.device());
  auto cumsum = [&](const TtTensor& t) { return ops::call1("cumsum", {{"input", t}, {"dim", dim}}); };
  auto shifted_down = [](const TtTensor& t) { return call("bitwise_right_shift", t, 16.0); };
  const TtTensor sum_b = cumsum(field(w.low, 0, 16));
  const TtTensor middle = call("add", cumsum(field(w.low, 16, 16)), shifted_down(sum_b));
  const TtTensor low = call("bitwise_or", call("bitwise_left_shift", middle, 16.0), field(sum_b, 0, 16));
  const TtTensor high = call("add", cumsum(w.high), shifted_down(middle));
  return wrap_int64_words(low, high, x.sizes());
}

// The extreme element in the order of its four 16-bit limbs, most significant first (the top one signed,
// the others unsigned): each limb is small enough for an exact FLOAT32 max/min, so the reduction cannot
// round whatever TT-NN reduces integers through. Limb by limb, the elements still tied keep competing.
at::Tensor int64_extreme(const at::Tensor& x, bool largest) {
  if (x.numel() == 0) decline("the max/min of an empty tensor");  // the CPU raises
  const Words w = words_of(x, x.device());
  // The top limb keeps the sign (an arithmetic shift); the others are unsigned 16-bit fields.
  const TtTensor limbs[4] = {call("bitwise_right_shift", w.high, 16.0), field(w.high, 0, 16), field(w.low, 16, 16),
                             field(w.low, 0, 16)};
  auto all = [&](const TtTensor& t) {
    std::vector<int64_t> dims(t.rank());
    for (int64_t d = 0; d < t.rank(); ++d) dims[d] = d;
    return ops::call1(largest ? "max" : "min", {{"input_tensor", t}, {"dim", dims}, {"keepdim", true}});
  };
  const double out_of_race = largest ? -65537.0 : 65537.0;  // beyond every limb value
  TtTensor tied, best[4];
  for (int i = 0; i < 4; ++i) {
    TtTensor limb = cast(limbs[i], DataType::FLOAT32);
    if (i > 0) limb = ops::call1("where", {{"predicate", tied}, {"true_value", limb}, {"false_value", out_of_race}});
    best[i] = all(limb);
    const TtTensor here = call("eq", limb, best[i]);
    tied = i == 0 ? here : call("logical_and", tied, here);
  }
  auto word_of = [&](const TtTensor& upper, const TtTensor& lower) {
    return call("bitwise_or", call("bitwise_left_shift", cast(upper, DataType::INT32), 16.0), cast(lower, DataType::INT32));
  };
  const std::vector<int64_t> one(best[0].rank(), 1);
  return wrap_int64_words(word_of(best[2], best[3]), word_of(best[0], best[1]), one).reshape({});
}

at::Tensor int64_masked_fill(const at::Tensor& self, const at::Tensor& mask, int64_t value) {
  const Words w = words_of(self, self.device());
  const TtTensor keep = call("eq", condition_pick(mask, self.sizes()), 0.0);
  const uint64_t bits = static_cast<uint64_t>(value);
  const double low_word = static_cast<int32_t>(static_cast<uint32_t>(bits));
  const double high_word = static_cast<int32_t>(static_cast<uint32_t>(bits >> 32));
  return wrap_int64_words(to_sizes(pick_bits(keep, w.low, low_word), self.sizes()),
                          to_sizes(pick_bits(keep, w.high, high_word), self.sizes()), self.sizes());
}

at::Tensor int64_from_integral_floats(const TtTensor& values, c10::IntArrayRef sizes) {
  return wrap_words(words_of_integral_floats(values), sizes);
}

bool int64_unary_supports(const char* op) { return std::strcmp(op, "neg") == 0 || std::strcmp(op, "abs") == 0; }

// -x is 0 - x (the borrow as in subtract); |x| picks -x where x < 0.
at::Tensor int64_unary(const char* op, const at::Tensor& x) {
  const Words w = words_of(x, x.device());
  const Words zero = zero_words(x.device());
  const TtTensor low = call("subtract", zero.low, w.low);
  const Words negated{low, call("subtract", call("subtract", zero.high, w.high), unsigned_less(zero.low, w.low))};
  if (std::strcmp(op, "neg") == 0) return wrap_words(negated, x.sizes());
  return wrap_words(pick_words(call("lt", w.high, 0.0), negated, w), x.sizes());
}

at::Tensor int64_where(const at::Tensor& condition, const at::Tensor& a, const at::Tensor& b) {
  const c10::Device device = core::is_ttnn(a) ? a.device() : core::is_ttnn(b) ? b.device() : condition.device();
  const auto sizes = at::infer_size(at::infer_size(condition.sizes(), a.sizes()), b.sizes());
  return wrap_words(pick_words(condition_pick(condition, sizes), words_of(a, device), words_of(b, device)), sizes);
}

}  // namespace ttnn_device::aten
