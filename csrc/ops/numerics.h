// Which numerics the reference device computes with: `tt` (the default: what a card gives with TT-NN's
// default configs: matmul operands cut to the math fidelity's bits, denormal results flushed to zero) or
// `exact` (IEEE math, rounded only to the output's storage data type). TTNN_DEVICE_NUMERICS=tt|exact.
#pragma once

#include <string>

#include "runtime/data_type.h"

namespace ttnn_device::ops {

enum class Numerics { kTt, kExact };
Numerics numerics();
void set_numerics(Numerics mode);
Numerics parse_numerics(const std::string& text);
const char* to_string(Numerics mode);

// The FPU's multiplier fidelity (phases of the 5x7-bit multiplier).
enum class MathFidelity { kLoFi, kHiFi2, kHiFi3, kHiFi4 };
const char* to_string(MathFidelity fidelity);
// TT-NN's default for matmul: HiFi4 when both inputs are FLOAT32, LoFi when both are block floats, else
// HiFi2. torch.set_float32_matmul_precision lowers it for FLOAT32 ("high" HiFi2, "medium" LoFi).
MathFidelity matmul_fidelity(runtime::DataType a, runtime::DataType b);

}  // namespace ttnn_device::ops
