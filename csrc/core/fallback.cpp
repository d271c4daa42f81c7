#include "core/fallback.h"

#include <ATen/ATen.h>
#include <ATen/EmptyTensor.h>
#include <ATen/MemoryOverlap.h>
#include <c10/core/DeviceGuard.h>
#include <c10/util/Exception.h>

#include <mutex>
#include <set>
#include <unordered_map>

#include "core/device_state.h"
#include "core/generator.h"
#include "core/profile_log.h"
#include "core/tensor_access.h"
#include "runtime/config.h"

namespace ttnn_device::core {

namespace {

struct FallbackState {
  std::mutex mutex;
  std::map<std::string, uint64_t> counts;
  std::map<std::string, std::map<std::string, uint64_t>> reasons;
  std::set<std::string> warned;
  FallbackMode mode;
};

FallbackState& state() {
  static auto* instance = [] {
    auto* s = new FallbackState();
    s->mode = parse_fallback_mode(runtime::config::choice("TTNN_DEVICE_FALLBACK", {"allow", "warn", "error"}, "allow"));
    return s;
  }();
  return *instance;
}

// "aten::hypot.out": built once per operator and thread, not per call.
const std::string& op_name(const c10::OperatorHandle& op) {
  thread_local std::unordered_map<const c10::FunctionSchema*, std::string> names;
  const c10::FunctionSchema* schema = &op.schema();
  auto it = names.find(schema);
  if (it != names.end()) return it->second;
  const auto& name = schema->operator_name();
  return names.emplace(schema, name.overload_name.empty() ? name.name : name.name + "." + name.overload_name)
      .first->second;
}

at::Tensor to_cpu(const at::Tensor& tensor) {
  return is_ttnn(tensor) ? tensor.to(c10::kCPU) : tensor;
}

// One argument or list element that was moved to the CPU, to be written back if the op mutates it.
struct MovedTensor {
  at::Tensor original;
  at::Tensor on_cpu;
};

// Arguments some CPU kernels mutate although their schema does not mark them written
// (native_batch_norm updates running_mean and running_var in training mode).
bool mutated_without_annotation(const std::string& op, size_t index) {
  return (op == "aten::native_batch_norm" || op == "aten::native_batch_norm.out") && (index == 3 || index == 4);
}

bool is_written(const std::string& op, const c10::Argument& argument, size_t index) {
  return (argument.alias_info() != nullptr && argument.alias_info()->isWrite()) ||
         mutated_without_annotation(op, index);
}

// Arguments that stay on the CPU by contract even beside device tensors (tensor_split's sections).
bool may_stay_on_cpu(const c10::Argument& argument) { return argument.name() == "tensor_indices_or_sections"; }

// Every tensor the op reads or writes, with whether it is in an optional list (index lists, where CPU
// index tensors are accepted beside device tensors, as on CUDA).
struct TensorArgument {
  const at::Tensor* tensor;
  size_t index;
  bool in_index_list;
};

std::vector<TensorArgument> tensor_arguments(const torch::jit::Stack& stack, size_t first, size_t count) {
  std::vector<TensorArgument> out;
  for (size_t i = 0; i < count; ++i) {
    const c10::IValue& value = stack[first + i];
    if (value.isTensor()) {
      if (value.toTensor().defined()) out.push_back({&value.toTensor(), i, false});
    } else if (value.isTensorList()) {
      for (const c10::IValue& element : value.toListRef()) out.push_back({&element.toTensor(), i, false});
    } else if (value.isOptionalTensorList()) {
      for (const c10::IValue& element : value.toListRef()) {
        if (element.isTensor() && element.toTensor().defined()) out.push_back({&element.toTensor(), i, true});
      }
    }
  }
  return out;
}

// The ttnn device the op runs for: its first ttnn tensor, else its device argument. Tensors on another
// device raise as they would on CUDA: another ttnn device always, a CPU tensor unless it is a 0-dim
// scalar, an index tensor or an argument that must be on the CPU.
c10::Device target_device(const c10::FunctionSchema& schema, const torch::jit::Stack& stack, size_t first,
                          const std::vector<TensorArgument>& tensors) {
  std::optional<c10::Device> target;
  for (const auto& t : tensors) {
    if (is_ttnn(*t.tensor)) {
      target = t.tensor->device();
      break;
    }
  }
  if (!target.has_value()) {
    for (size_t i = 0; i < schema.arguments().size(); ++i) {
      const c10::IValue& value = stack[first + i];
      if (value.isDevice() && value.toDevice().type() == c10::DeviceType::PrivateUse1) target = value.toDevice();
    }
  }
  const c10::Device device = target.value_or(c10::Device(c10::DeviceType::PrivateUse1, current_device()));
  for (const auto& t : tensors) {
    const c10::Device other = t.tensor->device();
    if (other == device) continue;
    const bool tolerated_cpu = other.is_cpu() && (t.tensor->dim() == 0 || t.in_index_list ||
                                                  may_stay_on_cpu(schema.arguments()[t.index]) || !target);
    TORCH_CHECK(tolerated_cpu, "Expected all tensors to be on the same device, but found at least two devices, ",
                device, " and ", other, "! (when checking argument '", schema.arguments()[t.index].name(),
                "' of ", schema.operator_name(), ")");
  }
  return device;
}

// What the CPU would refuse about the memory a written tensor shares with the op's other tensors; the
// CPU kernel itself only sees separate copies, so the checks are made on the device tensors.
void check_overlaps(const std::string& op, const c10::FunctionSchema& schema,
                    const std::vector<TensorArgument>& tensors) {
  for (const auto& written : tensors) {
    if (!is_written(op, schema.arguments()[written.index], written.index) || !is_ttnn(*written.tensor)) continue;
    at::assert_no_internal_overlap(*written.tensor);
    for (const auto& other : tensors) {
      if (other.index == written.index || !is_ttnn(*other.tensor)) continue;
      at::assert_no_partial_overlap(*written.tensor, *other.tensor);
    }
  }
}

// The CPU tensor an op runs on in place of ttnn tensor `t`. An out= argument is only written, so its
// stand-in needs its geometry, not its values; an argument the op only reads may use the storage's host
// mirror; one it mutates gets a copy of its own.
enum class Use { kRead, kReadWrite, kWriteOnly };

at::Tensor cpu_stand_in(const at::Tensor& t, Use use) {
  if (!is_ttnn(t)) return t;
  // The CPU's allocator directly, not through the dispatcher: this runs for every out= of every fallback.
  if (use == Use::kWriteOnly) return at::Tensor(at::detail::empty_strided_cpu(t.sizes(), t.strides(), t.scalar_type()));
  return use == Use::kRead ? host_input(t) : to_cpu(t);
}

}  // namespace

FallbackMode parse_fallback_mode(const std::string& text) {
  if (text == "allow") return FallbackMode::kAllow;
  if (text == "warn") return FallbackMode::kWarn;
  if (text == "error") return FallbackMode::kError;
  TORCH_CHECK_VALUE(false, "TTNN_DEVICE_FALLBACK must be allow, warn or error, got '", text, "'");
}

const char* to_string(FallbackMode mode) {
  switch (mode) {
    case FallbackMode::kAllow: return "allow";
    case FallbackMode::kWarn: return "warn";
    case FallbackMode::kError: return "error";
  }
  return "?";
}

FallbackMode fallback_mode() {
  std::lock_guard<std::mutex> lock(state().mutex);
  return state().mode;
}

void set_fallback_mode(FallbackMode mode) {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().mode = mode;
}

thread_local std::string pending_decline;

void set_decline_reason(std::string reason) { pending_decline = std::move(reason); }

void note_fallback(const std::string& op) {
  auto& s = state();
  FallbackMode mode;
  bool first_warning = false;
  std::string reason = pending_decline.empty() ? std::string(kNoKernel) : std::move(pending_decline);
  pending_decline.clear();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    mode = s.mode;
    if (mode != FallbackMode::kError) {
      s.counts[op]++;
      s.reasons[op][reason]++;
    }
    if (mode == FallbackMode::kWarn) first_warning = s.warned.insert(op).second;
  }
  profile_log::record_instant(profile_log::Kind::kFallback, op, reason, 0);
  TORCH_CHECK_NOT_IMPLEMENTED(mode != FallbackMode::kError, "The operator '", op,
                              "' has no ttnn kernel for these arguments (", reason, ") and would run on the CPU, which "
                              "TTNN_DEVICE_FALLBACK=error forbids. Unset it (or set allow/warn) to run it on "
                              "the CPU.");
  if (first_warning) {
    TORCH_WARN("The operator '", op, "' runs on the CPU (fallback): ", reason,
               ". Its inputs are copied to the host and its results back. To ask for a ttnn kernel, report the "
               "operator, this reason, and its input shapes and dtypes in an issue of the ttnn_device project; "
               "ttnn_device.profile() shows what every fallback costs, ttnn_device.fallback_reasons() lists "
               "them all. This warning is shown once per operator.");
  }
}

std::map<std::string, uint64_t> fallback_counts() {
  std::lock_guard<std::mutex> lock(state().mutex);
  return state().counts;
}

std::map<std::string, std::map<std::string, uint64_t>> fallback_reasons() {
  std::lock_guard<std::mutex> lock(state().mutex);
  return state().reasons;
}

void reset_fallback_counts() {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().counts.clear();
  state().reasons.clear();
  state().warned.clear();
}

void cpu_fallback(const c10::OperatorHandle& op, c10::DispatchKeySet /*keys*/, torch::jit::Stack* stack) {
  const std::string& name = op_name(op);
  note_fallback(name);
  const auto& schema = op.schema();
  const auto& arguments = schema.arguments();
  const size_t first = stack->size() - arguments.size();

  // Step 1: the device the op runs for, and the CPU's checks that separate copies would hide.
  const auto tensors = tensor_arguments(*stack, first, arguments.size());
  const c10::Device device = target_device(schema, *stack, first, tensors);
  check_overlaps(name, schema, tensors);
  c10::DeviceGuard guard(device);

  // Step 2: move ttnn arguments to the CPU; ttnn generators and devices become their CPU counterparts.
  std::vector<std::vector<MovedTensor>> moved(arguments.size());
  for (size_t i = 0; i < arguments.size(); ++i) {
    c10::IValue& value = (*stack)[first + i];
    const Use use = arguments[i].is_out()             ? Use::kWriteOnly
                    : is_written(name, arguments[i], i) ? Use::kReadWrite
                                                        : Use::kRead;
    if (value.isTensor()) {
      const at::Tensor& t = value.toTensor();
      if (is_ttnn(t)) {
        moved[i].push_back({t, cpu_stand_in(t, use)});
        value = moved[i].back().on_cpu;
      }
    } else if (value.isTensorList()) {
      std::vector<at::Tensor> cpu;
      for (const at::Tensor& t : value.toTensorList().vec()) {
        cpu.push_back(cpu_stand_in(t, use));
        moved[i].push_back({t, cpu.back()});
      }
      value = c10::List<at::Tensor>(cpu);
    } else if (value.isOptionalTensorList()) {
      std::vector<std::optional<at::Tensor>> cpu;
      for (const auto& t : value.toOptionalTensorVector()) {
        if (t.has_value() && t->defined()) {
          cpu.emplace_back(to_cpu(*t));
          moved[i].push_back({*t, *cpu.back()});
        } else {
          cpu.emplace_back(t);
        }
      }
      value = c10::List<std::optional<at::Tensor>>(cpu);
    } else if (value.isDevice() && value.toDevice().type() == c10::DeviceType::PrivateUse1) {
      value = c10::Device(c10::kCPU);
    } else if (arguments[i].type()->kind() == c10::TypeKind::OptionalType &&
               arguments[i].type()->castRaw<c10::OptionalType>()->getElementType()->kind() ==
                   c10::TypeKind::GeneratorType) {
      std::optional<at::Generator> generator;
      if (value.isGenerator()) generator = value.toGenerator();
      value = cpu_generator_for(generator, device.index());
    } else if (value.isGenerator()) {
      value = cpu_generator_for(value.toGenerator(), device.index());
    }
  }

  // Step 3: run the CPU kernel.
  op.redispatchBoxed(c10::DispatchKeySet(c10::DispatchKey::CPU), stack);

  // Step 4: write mutated arguments back to their ttnn tensors (resizing out= tensors as the CPU did).
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (!is_written(name, arguments[i], i)) continue;
    for (const auto& m : moved[i]) {
      if (m.original.defined() && is_ttnn(m.original)) at::_copy_from_and_resize(m.on_cpu, m.original);
    }
  }

  // Step 5: results. A result aliasing a mutated argument is that ttnn argument itself; every other
  // tensor result is copied to the device.
  const auto& returns = schema.returns();
  const size_t returns_first = stack->size() - returns.size();
  for (size_t r = 0; r < returns.size(); ++r) {
    c10::IValue& value = (*stack)[returns_first + r];
    const c10::AliasInfo* alias = returns[r].alias_info();
    if (alias != nullptr && alias->isWrite()) {
      for (size_t i = 0; i < arguments.size(); ++i) {
        const c10::AliasInfo* arg_alias = arguments[i].alias_info();
        if (arg_alias == nullptr || !(*arg_alias == *alias) || moved[i].empty()) continue;
        if (value.isTensor()) {
          value = moved[i].front().original;
        } else if (value.isTensorList()) {
          std::vector<at::Tensor> originals;
          for (const auto& m : moved[i]) originals.push_back(m.original);
          value = c10::List<at::Tensor>(originals);
        }
        break;
      }
      continue;
    }
    if (alias != nullptr) {
      TORCH_WARN_ONCE("The view operator '", name,
                      "' ran on the CPU through the ttnn fallback, so its result is a copy, not a view.");
    }
    if (value.isTensor()) {
      const at::Tensor& t = value.toTensor();
      TORCH_CHECK_NOT_IMPLEMENTED(!t.defined() || t.layout() == c10::kStrided, "'", name,
                                  "' returns a tensor with layout ", t.layout(),
                                  ", which the ttnn device cannot hold: ttnn holds strided tensors only");
      if (t.defined() && t.device().is_cpu()) value = t.to(device);
    } else if (value.isTensorList()) {
      std::vector<at::Tensor> on_device;
      for (const at::Tensor& t : value.toTensorList().vec()) {
        on_device.push_back(t.defined() && t.device().is_cpu() ? t.to(device) : t);
      }
      value = c10::List<at::Tensor>(on_device);
    }
  }
}

}  // namespace ttnn_device::core
