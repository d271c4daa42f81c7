// Where the CPU fallback is registered: for every op without a ttnn kernel, and for the ops whose default
// path on a new backend ends in an error instead of reaching a fallback (convolution goes through
// convolution_overrideable and convolution_backward_overrideable, which throw unless a backend provides them:
// their CPU forms are here, called by the native kernels when they decline).
#include <ATen/ATen.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include "core/fallback.h"
#include "core/tensor_access.h"
#include "aten/cpu_convolution.h"

namespace ttnn_device::aten {
namespace {

// Convolution only reads its inputs, so unchanged weights come from their host mirrors.
at::Tensor on_cpu(const at::Tensor& t) { return core::host_input(t); }
std::optional<at::Tensor> on_cpu(const std::optional<at::Tensor>& t) {
  if (!t.has_value() || !t->defined()) return t;
  return on_cpu(*t);
}
at::Tensor back_to(const at::Tensor& t, const c10::Device& device) { return t.defined() ? t.to(device) : t; }

}  // namespace

at::Tensor cpu_convolution(const at::Tensor& input, const at::Tensor& weight,
                                    const std::optional<at::Tensor>& bias, c10::IntArrayRef stride,
                                    c10::IntArrayRef padding, c10::IntArrayRef dilation, bool transposed,
                                    c10::IntArrayRef output_padding, int64_t groups) {
  core::note_fallback("aten::convolution_overrideable");
  c10::DeviceGuard guard(input.device());
  at::Tensor result = at::convolution(on_cpu(input), on_cpu(weight), on_cpu(bias), stride, padding, dilation,
                                      transposed, output_padding, groups);
  return back_to(result, input.device());
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> cpu_convolution_backward(
    const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight, c10::IntArrayRef stride,
    c10::IntArrayRef padding, c10::IntArrayRef dilation, bool transposed, c10::IntArrayRef output_padding,
    int64_t groups, std::array<bool, 3> output_mask) {
  core::note_fallback("aten::convolution_backward_overrideable");
  c10::DeviceGuard guard(input.device());
  const std::vector<int64_t> bias_sizes = {weight.size(transposed ? 1 : 0) * (transposed ? groups : 1)};
  auto [grad_input, grad_weight, grad_bias] =
      at::convolution_backward(on_cpu(grad_output), on_cpu(input), on_cpu(weight), bias_sizes, stride, padding,
                               dilation, transposed, output_padding, groups, output_mask);
  return {back_to(grad_input, input.device()), back_to(grad_weight, input.device()),
          back_to(grad_bias, input.device())};
}

namespace {

TORCH_LIBRARY_IMPL(_, PrivateUse1, m) {
  m.fallback(torch::CppFunction::makeFromBoxedFunction<&core::cpu_fallback>());
}

// Ops with both a CPU kernel and a generic decomposition: a new backend gets the decomposition, which
// runs piecemeal and differs from the CPU in details (addr's rounding, _stack's output strides). Until
// they have ttnn
// kernels they run whole on the CPU, exactly as the CPU computes them.
constexpr const char* kWholeOnCpu[] = {
    "addr", "addr.out", "_stack", "_stack.out",
    "all.dims_out", "any.dims_out",
};

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  for (const char* op : kWholeOnCpu) {
    m.impl(op, torch::CppFunction::makeFromBoxedFunction<&core::cpu_fallback>());
  }
}

// torchvision's detection ops that TT-NN has no op for run on the CPU, with the reason on record.
constexpr char kNoNms[] = "TT-NN has no non-maximum suppression (a greedy, box-by-box selection)";
constexpr char kNoRoiAlign[] = "TT-NN has no RoI Align";
constexpr char kNoRoiPool[] = "TT-NN has no RoI pooling";

template <const char* kReason>
void declined_on_device(const c10::OperatorHandle& op, c10::DispatchKeySet keys, torch::jit::Stack* stack) {
  core::set_decline_reason(kReason);
  core::cpu_fallback(op, keys, stack);
}

TORCH_LIBRARY_IMPL(torchvision, PrivateUse1, m) {
  m.impl("nms", torch::CppFunction::makeFromBoxedFunction<&declined_on_device<kNoNms>>());
  m.impl("roi_align", torch::CppFunction::makeFromBoxedFunction<&declined_on_device<kNoRoiAlign>>());
  m.impl("_roi_align_backward", torch::CppFunction::makeFromBoxedFunction<&declined_on_device<kNoRoiAlign>>());
  m.impl("roi_pool", torch::CppFunction::makeFromBoxedFunction<&declined_on_device<kNoRoiPool>>());
}

}  // namespace
}  // namespace ttnn_device::aten
