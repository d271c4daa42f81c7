// Whether autograd records a gradient through a call: the kernels that leave out what only a backward
// needs (a layer norm's statistics, a max pool's indices) take that shortcut only where none is recorded.
#pragma once

#include <ATen/core/Tensor.h>
#include <ATen/core/grad_mode.h>

#include <initializer_list>
#include <optional>

namespace ttnn_device::aten {

// Backward mode while grad mode is on, or forward mode (which no_grad does not turn off), through any of
// `tensors` (null or undefined ones ignored).
inline bool gradient_recorded(std::initializer_list<const at::Tensor*> tensors) {
  for (const at::Tensor* t : tensors) {
    if (t && t->defined() && ((at::GradMode::is_enabled() && t->requires_grad()) || t->_fw_grad(0).defined())) {
      return true;
    }
  }
  return false;
}

inline const at::Tensor* optional_ptr(const std::optional<at::Tensor>& t) { return t ? &*t : nullptr; }

}  // namespace ttnn_device::aten
