#include "aten/resample_taps.h"

#include <cmath>
#include <limits>

#include "aten/native.h"
#include "aten/positions.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

TtTensor unary(const char* op, const TtTensor& t) { return ops::call1(op, {{"input_tensor", t}}); }
TtTensor binary(const char* op, const ops::Value& a, const ops::Value& b) {
  return ops::call1(op, {{"input_tensor_a", a}, {"input_tensor_b", b}});
}
TtTensor clamp(const TtTensor& t, double lo, double hi) {
  return ops::call1("clamp", {{"input_tensor", t}, {"min", lo}, {"max", hi}});
}

// torch's source-to-destination scale of one dim (input / output, or 1 / the given scale factor).
double scale_of(int64_t in, int64_t out, bool align_corners, std::optional<double> given) {
  if (align_corners) return out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0;
  if (given && *given > 0) return static_cast<float>(1.0 / *given);
  return static_cast<float>(in) / static_cast<float>(out);
}

// Cubic convolution weights (A = -0.75, as torch uses) of the four taps around a fraction t.
std::vector<TtTensor> cubic_weights(const TtTensor& t) {
  constexpr double A = -0.75;
  auto near = [&](const TtTensor& x) {  // ((A + 2) x - (A + 3)) x^2 + 1, for |x| <= 1
    TtTensor inner = affine(x, A + 2, -(A + 3));
    return affine(binary("multiply", binary("multiply", inner, x), x), 1.0, 1.0);
  };
  auto far = [&](const TtTensor& x) {  // ((A x - 5A) x + 8A) x - 4A, for 1 < |x| < 2
    TtTensor inner = affine(binary("multiply", affine(x, A, -5 * A), x), 1.0, 8 * A);
    return affine(binary("multiply", inner, x), 1.0, -4 * A);
  };
  return {far(affine(t, 1.0, 1.0)), near(t), near(affine(t, -1.0, 1.0)), far(affine(t, -1.0, 2.0))};
}

}  // namespace

std::vector<Tap> upsample_taps(int64_t in, int64_t out, Mode mode, bool align_corners, std::optional<double> given,
                               c10::Device device) {
  const double scale = scale_of(in, out, align_corners, given);
  const double last = static_cast<double>(in - 1);
  TtTensor p = positions(out, device);
  if (mode == Mode::kNearest) return {{clamp(unary("floor", affine(p, scale, 0.0)), 0.0, last), std::nullopt}};
  TtTensor source = align_corners ? affine(p, scale, 0.0) : affine(affine(p, 1.0, 0.5), scale, -0.5);
  if (mode == Mode::kBilinear) {
    if (!align_corners) source = clamp(source, 0.0, std::numeric_limits<double>::infinity());
    TtTensor first = unary("floor", source);
    TtTensor frac = binary("subtract", source, first);
    return {{first, affine(frac, -1.0, 1.0)}, {clamp(affine(first, 1.0, 1.0), 0.0, last), frac}};
  }
  // Taps at floor(source) - 1 .. + 2, read clamped at the border (the weights use the unclamped fraction).
  TtTensor first = unary("floor", source);
  const auto weights = cubic_weights(binary("subtract", source, first));
  std::vector<Tap> taps;
  for (int k = 0; k < 4; ++k) taps.push_back({clamp(affine(first, 1.0, k - 1.0), 0.0, last), weights[k]});
  return taps;
}

std::vector<Tap> adaptive_average_taps(int64_t in, int64_t out, c10::Device device) {
  // Bin bounds as torch's integer formulas give them; the products are exact and a quotient that is not
  // whole lies at least 1 / out from the next whole number, so FLOAT32 floor / ceil cannot cross one.
  const TtTensor p = positions(out, device);
  const TtTensor start = unary("floor", binary("divide", affine(p, static_cast<double>(in), 0.0), static_cast<double>(out)));
  const TtTensor end = unary("ceil", binary("divide", affine(p, static_cast<double>(in), static_cast<double>(in)),
                                            static_cast<double>(out)));
  const TtTensor inverse_length = unary("reciprocal", binary("subtract", end, start));
  int64_t widest = 0;  // the longest bin
  for (int64_t o = 0; o < out; ++o) widest = std::max(widest, ((o + 1) * in + out - 1) / out - (o * in) / out);
  std::vector<Tap> taps;
  for (int64_t k = 0; k < widest; ++k) {
    const TtTensor position = affine(start, 1.0, static_cast<double>(k));
    const TtTensor inside = binary("lt", position, end);
    taps.push_back({clamp(position, 0.0, static_cast<double>(in - 1)), binary("multiply", inside, inverse_length)});
  }
  return taps;
}

TtTensor apply_taps(const TtTensor& t, int64_t dim, const std::vector<Tap>& taps) {
  const int64_t rank = static_cast<int64_t>(t.shape.size());
  TtTensor sum;
  for (size_t k = 0; k < taps.size(); ++k) {
    TtTensor term = gather_positions(t, dim, taps[k].source);
    if (taps[k].weight) term = binary("multiply", along(*taps[k].weight, dim, rank), term);
    sum = k == 0 ? term : binary("add", sum, term);
  }
  return sum;
}

TtTensor scatter_taps(const TtTensor& grad, int64_t dim, int64_t in, const std::vector<Tap>& taps) {
  const int64_t rank = static_cast<int64_t>(grad.shape.size());
  std::vector<int64_t> input_shape = grad.shape;
  input_shape[dim] = in;
  TtTensor sum = ops::call1("full", {{"shape", input_shape}, {"fill_value", 0.0}, {"dtype", DataType::FLOAT32},
                                     {"layout", Layout::TILE}, {"device", static_cast<int64_t>(grad.device().index())}});
  for (const Tap& tap : taps) {
    const TtTensor values = tap.weight ? binary("multiply", along(*tap.weight, dim, rank), grad) : grad;
    sum = ops::call1("scatter_add", {{"input", sum}, {"dim", dim}, {"index", index_along(tap.source, dim, grad.shape)},
                                     {"src", values}});
  }
  return sum;
}

}  // namespace ttnn_device::aten
