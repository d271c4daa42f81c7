// Upsampling (nearest, bilinear, bicubic) of NCHW tensors. Integer scales without align_corners are
// TT-NN's upsample on channels-last input. Every other size is separable resampling: along W, then H
// (the order in which torch's CPU kernels combine taps), each output position is a weighted sum of
// gathered source taps, with source positions and weights computed on the device in FLOAT32 exactly
// as torch computes them (area_pixel source index, floor, clamping at the border).
#include <ATen/ATen.h>
#include <torch/library.h>

#include <cmath>

#include "aten/operands.h"
#include "aten/positions.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

enum class Mode { kNearest, kBilinear, kBicubic };

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

// `t` (FLOAT32) resampled along `dim` from `in` to `out` positions.
TtTensor resample_dim(const TtTensor& t, int64_t dim, int64_t in, int64_t out, Mode mode, bool align_corners,
                      std::optional<double> given, c10::Device device) {
  const int64_t rank = static_cast<int64_t>(t.shape.size());
  const double scale = scale_of(in, out, align_corners, given);
  const double last = static_cast<double>(in - 1);
  TtTensor p = positions(out, device);
  if (mode == Mode::kNearest) {
    TtTensor source = clamp(unary("floor", affine(p, scale, 0.0)), 0.0, last);
    return gather_positions(t, dim, source);
  }
  TtTensor source = align_corners ? affine(p, scale, 0.0) : affine(affine(p, 1.0, 0.5), scale, -0.5);
  if (mode == Mode::kBilinear) {
    if (!align_corners) source = clamp(source, 0.0, std::numeric_limits<double>::infinity());
    TtTensor first = unary("floor", source);
    TtTensor frac = binary("subtract", source, first);
    TtTensor second = clamp(affine(first, 1.0, 1.0), 0.0, last);
    TtTensor w0 = along(affine(frac, -1.0, 1.0), dim, rank), w1 = along(frac, dim, rank);
    return binary("add", binary("multiply", w0, gather_positions(t, dim, first)),
                  binary("multiply", w1, gather_positions(t, dim, second)));
  }
  // Taps at floor(source) - 1 .. + 2, read clamped at the border (the weights use the unclamped fraction).
  TtTensor first = unary("floor", source);
  const auto weights = cubic_weights(binary("subtract", source, first));
  TtTensor sum;
  for (int k = 0; k < 4; ++k) {
    TtTensor tap = gather_positions(t, dim, clamp(affine(first, 1.0, k - 1.0), 0.0, last));
    TtTensor term = binary("multiply", tap, along(weights[k], dim, rank));
    sum = k == 0 ? term : binary("add", sum, term);
  }
  return sum;
}

std::vector<int64_t> nhwc_order() { return {0, 2, 3, 1}; }

at::Tensor upsample(const at::Tensor& x, c10::SymIntArrayRef output_sym, Mode mode, bool align_corners,
                    std::optional<double> scale_h, std::optional<double> scale_w) {
  device_of({&x});
  if (x.dim() != 4) decline("upsampling a tensor that is not NCHW");
  if (x.scalar_type() != c10::kFloat && x.scalar_type() != c10::kBFloat16) decline("upsampling a non-float tensor");
  const auto output_size = C10_AS_INTARRAYREF_SLOW(output_sym);
  TORCH_CHECK(output_size.size() == 2, "It is expected output_size equals to 2, but got size ", output_size.size());
  const int64_t h = x.size(2), w = x.size(3), oh = output_size[0], ow = output_size[1];
  TORCH_CHECK(h > 0 && w > 0 && oh > 0 && ow > 0, "Input and output sizes should be greater than 0, but got input (H: ", h,
              ", W: ", w, ") output (H: ", oh, ", W: ", ow, ")");
  if (x.numel() == 0) decline("upsampling an empty tensor");
  const std::vector<int64_t> sizes = {x.size(0), x.size(1), oh, ow};
  const bool integer = oh % h == 0 && ow % w == 0 && (!scale_h || *scale_h == oh / h) && (!scale_w || *scale_w == ow / w);
  if (integer && mode != Mode::kBicubic && !align_corners) {
    const std::vector<int64_t> scale = {oh / h, ow / w};
    TtTensor t = to_tt(x.permute(nhwc_order()));
    TtTensor result = ops::call1("upsample", {{"input_tensor", t}, {"scale_factor", scale},
                                              {"mode", std::string(mode == Mode::kNearest ? "nearest" : "bilinear")}});
    return wrap(result, x.scalar_type(), sizes, std::vector<int64_t>{oh * ow * x.size(1), 1, ow * x.size(1), x.size(1)});
  }
  // Separable resampling in the input's memory order; bfloat16 is computed in FLOAT32 and rounded once.
  const auto order = memory_order(x);
  const int64_t hd = std::find(order.begin(), order.end(), 2) - order.begin();
  const int64_t wd = std::find(order.begin(), order.end(), 3) - order.begin();
  TtTensor t = cast(to_tt(*in_order(x, 4, order)), DataType::FLOAT32);
  t = resample_dim(t, wd, w, ow, mode, align_corners, scale_w, x.device());
  t = resample_dim(t, hd, h, oh, mode, align_corners, scale_h, x.device());
  return wrap_in_order(cast(t, math_type(x.scalar_type())), x.scalar_type(), sizes, order);
}

at::Tensor upsample_nearest2d(const at::Tensor& x, c10::SymIntArrayRef output_size, std::optional<double> scale_h,
                              std::optional<double> scale_w) {
  return upsample(x, output_size, Mode::kNearest, false, scale_h, scale_w);
}
at::Tensor upsample_bilinear2d(const at::Tensor& x, c10::SymIntArrayRef output_size, bool align_corners,
                               std::optional<double> scale_h, std::optional<double> scale_w) {
  return upsample(x, output_size, Mode::kBilinear, align_corners, scale_h, scale_w);
}
at::Tensor upsample_bicubic2d(const at::Tensor& x, c10::SymIntArrayRef output_size, bool align_corners,
                              std::optional<double> scale_h, std::optional<double> scale_w) {
  return upsample(x, output_size, Mode::kBicubic, align_corners, scale_h, scale_w);
}

#define TTNN_NATIVE_SYMINT(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn, true>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE_SYMINT("upsample_nearest2d", ATEN_OP(upsample_nearest2d), &upsample_nearest2d);
  TTNN_NATIVE_SYMINT("upsample_bilinear2d", ATEN_OP(upsample_bilinear2d), &upsample_bilinear2d);
  TTNN_NATIVE_SYMINT("upsample_bicubic2d", ATEN_OP(upsample_bicubic2d), &upsample_bicubic2d);
}

}  // namespace
}  // namespace ttnn_device::aten
