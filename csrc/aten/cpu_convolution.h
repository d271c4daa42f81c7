// Convolution on the CPU, for the calls the native convolution kernel declines: torch's generic
// fallback cannot serve convolution_overrideable (its CPU kernel throws), so this runs at::convolution on
// host copies (host mirrors for unchanged weights) and counts the fallback.
#pragma once

#include <ATen/core/Tensor.h>

namespace ttnn_device::aten {

at::Tensor cpu_convolution(const at::Tensor& input, const at::Tensor& weight, const std::optional<at::Tensor>& bias,
                           c10::IntArrayRef stride, c10::IntArrayRef padding, c10::IntArrayRef dilation,
                           bool transposed, c10::IntArrayRef output_padding, int64_t groups);

}  // namespace ttnn_device::aten
