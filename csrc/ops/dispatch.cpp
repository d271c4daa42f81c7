#include "ops/dispatch.h"

#include <ATen/record_function.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "core/profile_log.h"
#include "ops/op_table.h"
#include "runtime/device.h"

namespace ttnn_device::ops {
namespace {

struct Registry {
  std::mutex mutex;
  std::unordered_map<std::string, std::unordered_map<std::string, Impl>> backends;
  std::unordered_map<std::string, GenericImpl> generic;
};

Registry& registry() {
  static auto* r = new Registry();
  return *r;
}

// Fixed at the first call, which comes after the devices exist (every call has device tensors or a
// device argument), so it is the backend the devices run on.
const std::string& active_backend() {
  static const std::string name = runtime::DeviceRegistry::instance().backend();
  return name;
}

// One slot per op; the counts are atomics so concurrent calls never lose one. `checked` remembers the
// parameter names (string literals, by pointer) already found in the op's table row, so that a call
// compares pointers instead of strings.
struct OpCounter {
  static constexpr int kChecked = 24;
  const OpSpec* spec;
  bool conversion = false;  // a layout or data type conversion, counted like a transfer
  Impl impl;
  GenericImpl generic;
  std::atomic<uint64_t> calls{0};
  std::atomic<const char*> checked[kChecked] = {};
  std::atomic<int> n_checked{0};
};

struct Counters {
  std::mutex mutex;
  std::unordered_map<std::string, std::unique_ptr<OpCounter>> by_op;
  std::atomic<uint64_t> conversions{0};
  std::atomic<uint64_t> conversion_bytes{0};
};

Counters& counters() {
  static auto* c = new Counters();
  return *c;
}

OpCounter& find_slot(const char* op) {
  Counters& c = counters();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.by_op.find(op);
  if (it != c.by_op.end()) return *it->second;
  auto entry = std::make_unique<OpCounter>();
  entry->spec = &op_spec(op);
  entry->conversion = entry->spec->op == "to_layout" || entry->spec->op == "typecast";
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> rlock(r.mutex);
    auto backend = r.backends.find(active_backend());
    auto generic = r.generic.find(active_backend());
    if (backend == r.backends.end() && generic == r.generic.end()) {
      throw std::runtime_error("no ttnn backend named '" + active_backend() + "' (TTNN_DEVICE_BACKEND)");
    }
    if (backend != r.backends.end()) {
      auto impl = backend->second.find(op);
      entry->impl = impl == backend->second.end() ? nullptr : impl->second;
    }
    entry->generic = generic == r.generic.end() ? nullptr : generic->second;
  }
  return *c.by_op.emplace(op, std::move(entry)).first->second;
}

// Kernels name ops by string literals: a per-thread cache by pointer keeps the string lookup and the
// lock off the per-call path.
OpCounter& slot(const char* op) {
  thread_local std::unordered_map<const char*, OpCounter*> by_pointer;
  auto it = by_pointer.find(op);
  if (it != by_pointer.end()) return *it->second;
  OpCounter& counter = find_slot(op);
  by_pointer.emplace(op, &counter);
  return counter;
}

bool known_param(OpCounter& counter, const char* name) {
  const int n = counter.n_checked.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) {
    if (counter.checked[i].load(std::memory_order_relaxed) == name) return true;
  }
  return false;
}

void check_params(OpCounter& counter, const Args& args) {
  for (const auto& [name, value] : args.items()) {
    if (known_param(counter, name)) continue;
    if (!counter.spec->has_param(name)) {
      throw std::logic_error("vocabulary call " + counter.spec->op + " passes '" + name +
                             "', which is not among its parameters in the op table");
    }
    // Remember it (a lost race only means the string check runs again next time).
    int n = counter.n_checked.load(std::memory_order_relaxed);
    if (n < OpCounter::kChecked && counter.n_checked.compare_exchange_strong(n, n + 1)) {
      counter.checked[n].store(name, std::memory_order_relaxed);
    }
  }
}

}  // namespace

void register_impls(const char* backend, std::initializer_list<ImplEntry> entries) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const auto& e : entries) r.backends[backend][e.op] = e.impl;
}

void register_generic_impl(const char* backend, GenericImpl impl) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.generic[backend] = impl;
}

std::vector<TtTensor> call(const char* op, const Args& args) {
  OpCounter& counter = slot(op);
  check_params(counter, args);
  if (!counter.impl && !counter.generic) {
    throw std::logic_error("the " + active_backend() + " backend does not implement vocabulary op " + counter.spec->op);
  }
  counter.calls.fetch_add(1, std::memory_order_relaxed);
  uint64_t converted_bytes = 0;
  if (counter.conversion) {
    const char* input = counter.spec->op == "to_layout" ? "tensor" : "input_tensor";
    const TtTensor& t = args.tensor(input);
    converted_bytes = t.buffer() ? t.buffer()->logical_bytes() : 0;
    counters().conversions.fetch_add(1, std::memory_order_relaxed);
    counters().conversion_bytes.fetch_add(converted_bytes, std::memory_order_relaxed);
  }
  // Seen by torch.profiler under the TT-NN function's name ("ttnn.matmul"): what each vocabulary op costs
  // inside the aten kernels.
  RECORD_FUNCTION(counter.spec->ttnn.c_str(), c10::ArrayRef<const c10::IValue>{});
  auto run = [&] { return counter.impl ? counter.impl(args) : counter.generic(*counter.spec, args); };
  if (!core::profile_log::on()) return run();
  const int64_t start = core::profile_log::now_ns();
  auto out = run();
  core::profile_log::record({core::profile_log::Kind::kVocabOp, counter.spec->op, counter.spec->ttnn,
                             converted_bytes, start, core::profile_log::now_ns()});
  return out;
}

TtTensor call1(const char* op, const Args& args) {
  auto out = call(op, args);
  if (out.size() != 1) throw std::logic_error(std::string("vocabulary op ") + op + " returned " +
                                              std::to_string(out.size()) + " tensors, expected one");
  return std::move(out.front());
}

std::vector<std::string> implemented_ops() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> out;
  if (r.generic.count(active_backend())) {
    for (const auto& spec : op_table()) out.push_back(spec.op);
    return out;
  }
  auto backend = r.backends.find(active_backend());
  if (backend != r.backends.end()) {
    for (const auto& [op, impl] : backend->second) out.push_back(op);
  }
  return out;
}

std::map<std::string, uint64_t> op_counts() {
  Counters& c = counters();
  std::lock_guard<std::mutex> lock(c.mutex);
  std::map<std::string, uint64_t> out;
  for (const auto& [op, counter] : c.by_op) {
    if (uint64_t n = counter->calls.load()) out[op] = n;
  }
  return out;
}

ConversionCounts conversion_counts() { return {counters().conversions.load(), counters().conversion_bytes.load()}; }

void reset_op_counts() {
  Counters& c = counters();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [op, counter] : c.by_op) counter->calls = 0;
  c.conversions = 0;
  c.conversion_bytes = 0;
}

}  // namespace ttnn_device::ops
