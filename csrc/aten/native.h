// The frame of every native aten kernel: a kernel either computes through the op vocabulary or declines
// (throws Decline) before it writes anything; a declined call runs on the CPU through the counted
// fallback, with its reason recorded (ttnn_device.fallback_reasons()).
#pragma once

#include <ATen/Operators.h>
#include <ATen/native/CPUFallback.h>

#include <string>

#include "core/fallback.h"

namespace ttnn_device::aten {

struct Decline {
  std::string reason;
};
[[noreturn]] inline void decline(std::string reason) { throw Decline{std::move(reason)}; }

// The counted fallback in the form at::native::call_fallback_fn calls.
inline void fallback_for_declined(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
  core::cpu_fallback(op, c10::DispatchKeySet(), stack);
}

template <class Op, auto kKernel, bool kSymInt = false>
struct Native;

// Native<ATEN_OP2(add, Tensor), add_kernel>::call has the op's exact C++ signature (kSymInt: the kernel
// takes the SymInt form of the op's int lists).
template <class Op, class R, class... A, R (*kKernel)(A...), bool kSymInt>
struct Native<Op, kKernel, kSymInt> {
  static R call(A... args) {
    try {
      return kKernel(args...);
    } catch (const Decline& d) {
      core::set_decline_reason(d.reason);
      return at::native::_call_fallback_fn<&fallback_for_declined, Op, kSymInt, typename Op::schema>::call(args...);
    }
  }
};

}  // namespace ttnn_device::aten
