// Convolution on the CPU, for the calls the native convolution kernels decline: torch's generic
// fallback cannot serve convolution_overrideable (its CPU kernel throws), so this runs at::convolution on
// host copies (host mirrors for unchanged weights) and counts the fallback.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <tuple>

namespace ttnn_device::aten {

at::Tensor cpu_convolution(const at::Tensor& input, const at::Tensor& weight, const std::optional<at::Tensor>& bias,
                           c10::IntArrayRef stride, c10::IntArrayRef padding, c10::IntArrayRef dilation,
                           bool transposed, c10::IntArrayRef output_padding, int64_t groups);

// Its gradient, for the calls the native gradient kernel declines.
std::tuple<at::Tensor, at::Tensor, at::Tensor> cpu_convolution_backward(
    const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight, c10::IntArrayRef stride,
    c10::IntArrayRef padding, c10::IntArrayRef dilation, bool transposed, c10::IntArrayRef output_padding,
    int64_t groups, std::array<bool, 3> output_mask);

// The native convolution (vision.cpp): declines (throws Decline) what it cannot run.
at::Tensor native_convolution(const at::Tensor& input, const at::Tensor& weight, const std::optional<at::Tensor>& bias,
                              c10::IntArrayRef stride, c10::IntArrayRef padding, c10::IntArrayRef dilation,
                              bool transposed, c10::IntArrayRef output_padding, int64_t groups);

}  // namespace ttnn_device::aten
