// torch.autocast("ttnn"): ops with no autocast rule pass straight through; matmul/conv-like ops run in the
// autocast dtype (bfloat16 is TT hardware's native math format) and precision-sensitive ops in float32,
// with the same op lists torch uses for CUDA.
#include <ATen/autocast_mode.h>
#include <torch/library.h>

namespace ttnn_device::aten {
namespace {

using at::autocast::CastPolicy;

TORCH_LIBRARY_IMPL(_, AutocastPrivateUse1, m) { m.fallback(torch::CppFunction::makeFallthrough()); }

#define TTNN_AUTOCAST_LOWER(...) KERNEL_PRIVATEUSEONE(__VA_ARGS__, lower_precision_fp)
#define TTNN_AUTOCAST_FP32(...) KERNEL_PRIVATEUSEONE(__VA_ARGS__, fp32)

TORCH_LIBRARY_IMPL(aten, AutocastPrivateUse1, m) {
  AT_FORALL_LOWER_PRECISION_FP(TTNN_AUTOCAST_LOWER)
  AT_FORALL_FP32(TTNN_AUTOCAST_FP32)
}

#undef TTNN_AUTOCAST_LOWER
#undef TTNN_AUTOCAST_FP32

}  // namespace
}  // namespace ttnn_device::aten
