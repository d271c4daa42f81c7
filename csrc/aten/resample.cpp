// Upsampling (nearest, bilinear, bicubic) of NCHW tensors. Integer scales without align_corners are
// TT-NN's upsample on channels-last input. Every other size is separable resampling: along W, then H
// (the order in which torch's CPU kernels combine taps), each output position is a weighted sum of
// gathered source taps, with source positions and weights computed on the device in FLOAT32 exactly
// as torch computes them (area_pixel source index, floor, clamping at the border).
#include <ATen/ATen.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "aten/resample_taps.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

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
  t = apply_taps(t, wd, upsample_taps(w, ow, mode, align_corners, scale_w, x.device()));
  t = apply_taps(t, hd, upsample_taps(h, oh, mode, align_corners, scale_h, x.device()));
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
