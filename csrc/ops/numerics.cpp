#include "ops/numerics.h"

#include <ATen/Context.h>

#include <atomic>
#include <stdexcept>

#include "runtime/config.h"

namespace ttnn_device::ops {
namespace {
std::atomic<Numerics>& mode() {
  static std::atomic<Numerics> m = [] {
    return parse_numerics(runtime::config::choice("TTNN_DEVICE_NUMERICS", {"tt", "exact"}, "tt"));
  }();
  return m;
}
}  // namespace

Numerics numerics() { return mode().load(std::memory_order_relaxed); }
void set_numerics(Numerics m) { mode() = m; }

Numerics parse_numerics(const std::string& text) {
  if (text == "tt") return Numerics::kTt;
  if (text == "exact") return Numerics::kExact;
  throw std::invalid_argument("numerics must be 'tt' or 'exact', got '" + text + "'");
}

const char* to_string(Numerics m) { return m == Numerics::kTt ? "tt" : "exact"; }

const char* to_string(MathFidelity f) {
  switch (f) {
    case MathFidelity::kLoFi: return "LoFi";
    case MathFidelity::kHiFi2: return "HiFi2";
    case MathFidelity::kHiFi3: return "HiFi3";
    case MathFidelity::kHiFi4: return "HiFi4";
  }
  return "?";
}

MathFidelity matmul_fidelity(runtime::DataType a, runtime::DataType b) {
  using runtime::DataType;
  if (runtime::is_block_float(a) && runtime::is_block_float(b)) return MathFidelity::kLoFi;
  if (a == DataType::FLOAT32 && b == DataType::FLOAT32) {
    switch (at::globalContext().float32MatmulPrecision()) {
      case at::Float32MatmulPrecision::HIGH: return MathFidelity::kHiFi2;
      case at::Float32MatmulPrecision::MEDIUM: return MathFidelity::kLoFi;
      default: return MathFidelity::kHiFi4;
    }
  }
  return MathFidelity::kHiFi2;
}

}  // namespace ttnn_device::ops
