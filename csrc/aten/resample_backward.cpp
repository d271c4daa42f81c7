// Gradients of upsampling (nearest, bilinear, bicubic) and of adaptive average pooling: the forward's
// taps scatter-added back, one dim at a time in the reverse of the forward's order (H, then W), in
// FLOAT32 (bfloat16 gradients round once at the end, as the CPU's kernels accumulate in float).
#include <ATen/ATen.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "aten/resample_taps.h"

namespace ttnn_device::aten {
namespace {

// grad [N, C, oh, ow] back to [N, C, h, w] through the taps of each dim.
at::Tensor resample_gradient(const at::Tensor& grad, int64_t h, int64_t w, const std::vector<Tap>& taps_h,
                             const std::vector<Tap>& taps_w) {
  device_of({&grad});
  if (grad.dim() != 4 || grad.numel() == 0) decline("a resampling gradient that is not a non-empty NCHW tensor");
  if (grad.scalar_type() != c10::kFloat && grad.scalar_type() != c10::kBFloat16) decline("a non-float resampling gradient");
  TtTensor g = cast(to_tt(grad.contiguous()), DataType::FLOAT32);
  g = scatter_taps(g, 2, h, taps_h);
  g = scatter_taps(g, 3, w, taps_w);
  return wrap(cast(g, math_type(grad.scalar_type())), grad.scalar_type(), {grad.size(0), grad.size(1), h, w});
}

at::Tensor upsample_gradient(const at::Tensor& grad, c10::SymIntArrayRef output_sym, c10::SymIntArrayRef input_sym, Mode mode,
                             bool align_corners, std::optional<double> scale_h, std::optional<double> scale_w) {
  const auto input_size = C10_AS_INTARRAYREF_SLOW(input_sym);
  const auto output_size = C10_AS_INTARRAYREF_SLOW(output_sym);
  TORCH_CHECK(input_size.size() == 4 && output_size.size() == 2, "upsample backward: expected a 4-d input size and a 2-d output size");
  const int64_t h = input_size[2], w = input_size[3];
  const c10::Device device = grad.device();
  return resample_gradient(grad, h, w, upsample_taps(h, output_size[0], mode, align_corners, scale_h, device),
                           upsample_taps(w, output_size[1], mode, align_corners, scale_w, device));
}

at::Tensor upsample_nearest2d_backward(const at::Tensor& grad, c10::SymIntArrayRef output_size, c10::SymIntArrayRef input_size,
                                       std::optional<double> scale_h, std::optional<double> scale_w) {
  return upsample_gradient(grad, output_size, input_size, Mode::kNearest, false, scale_h, scale_w);
}
at::Tensor upsample_bilinear2d_backward(const at::Tensor& grad, c10::SymIntArrayRef output_size, c10::SymIntArrayRef input_size,
                                        bool align_corners, std::optional<double> scale_h, std::optional<double> scale_w) {
  return upsample_gradient(grad, output_size, input_size, Mode::kBilinear, align_corners, scale_h, scale_w);
}
at::Tensor upsample_bicubic2d_backward(const at::Tensor& grad, c10::SymIntArrayRef output_size, c10::SymIntArrayRef input_size,
                                       bool align_corners, std::optional<double> scale_h, std::optional<double> scale_w) {
  return upsample_gradient(grad, output_size, input_size, Mode::kBicubic, align_corners, scale_h, scale_w);
}

at::Tensor adaptive_avg_pool2d_backward(const at::Tensor& grad, const at::Tensor& self) {
  device_of({&grad, &self});
  if (self.dim() == 3) return adaptive_avg_pool2d_backward(grad.unsqueeze(0), self.unsqueeze(0)).squeeze(0);
  if (self.dim() != 4) decline("an adaptive pooling gradient that is not NCHW");
  const int64_t h = self.size(2), w = self.size(3);
  return resample_gradient(grad, h, w, adaptive_average_taps(h, grad.size(2), grad.device()),
                           adaptive_average_taps(w, grad.size(3), grad.device()))
      .contiguous(self.suggest_memory_format());
}

#define TTNN_NATIVE_SYMINT(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn, true>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE_SYMINT("upsample_nearest2d_backward", ATEN_OP(upsample_nearest2d_backward), &upsample_nearest2d_backward);
  TTNN_NATIVE_SYMINT("upsample_bilinear2d_backward", ATEN_OP(upsample_bilinear2d_backward), &upsample_bilinear2d_backward);
  TTNN_NATIVE_SYMINT("upsample_bicubic2d_backward", ATEN_OP(upsample_bicubic2d_backward), &upsample_bicubic2d_backward);
  m.impl("_adaptive_avg_pool2d_backward", TORCH_FN((Native<ATEN_OP(_adaptive_avg_pool2d_backward), &adaptive_avg_pool2d_backward>::call)));
}

}  // namespace
}  // namespace ttnn_device::aten
