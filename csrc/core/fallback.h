// The counted CPU fallback: any aten op without a ttnn kernel runs on the CPU with its ttnn arguments
// copied over and its results (and mutated arguments) copied back, so every model runs while the
// counts say what still leaves the device (docs/design.md, invariant 3).
#pragma once

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <map>
#include <string>

namespace ttnn_device::core {

enum class FallbackMode { kAllow, kWarn, kError };

// Initially from TTNN_DEVICE_FALLBACK=allow|warn|error (default allow).
FallbackMode fallback_mode();
void set_fallback_mode(FallbackMode mode);
FallbackMode parse_fallback_mode(const std::string& text);
const char* to_string(FallbackMode mode);

// Counts one CPU run of `op` and applies the mode (warns once per op, or raises NotImplementedError).
void note_fallback(const std::string& op);
std::map<std::string, uint64_t> fallback_counts();
void reset_fallback_counts();

// Why an op ran on the CPU: a native kernel that declines these arguments names its reason just before
// it hands the op to the fallback; ops without a kernel are counted under "no ttnn kernel".
constexpr const char* kNoKernel = "no ttnn kernel";
void set_decline_reason(std::string reason);
std::map<std::string, std::map<std::string, uint64_t>> fallback_reasons();

// The boxed fallback itself, registered for every op on PrivateUse1.
void cpu_fallback(const c10::OperatorHandle& op, c10::DispatchKeySet keys, torch::jit::Stack* stack);

}  // namespace ttnn_device::core
