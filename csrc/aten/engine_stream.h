// The CPU generator's engine (the 32-bit Mersenne Twister as at::mt19937 steps it) computed on the device
// through TT-NN's INT32 bitwise ops, so a draw the CPU makes from it (exponential_, hence multinomial and
// sampling in generate()) comes out the same on the device for the same seed. The engine's state stays on
// the device between draws; the host engine catches up (one read of the state) only when something on
// the host draws from it, or its state is asked for.
#pragma once

#include <ATen/core/Generator.h>

#include <optional>
#include <vector>

#include "aten/tt_view.h"

namespace ttnn_device::aten {

// The next `count` outputs of the engine of `generator` (a ttnn or CPU generator; the default generator
// of `device` if none): tempered 32-bit words as INT32 bit patterns, shape [count].
TtTensor engine_words(const std::optional<at::Generator>& generator, c10::Device device, int64_t count);

// Exp(1) draws of `shape` as the CPU's exponential_ makes them, FLOAT32: each from two engine words, the
// 53-bit double uniform u they make, and -log(1 - u).
TtTensor engine_exponential(const std::optional<at::Generator>& generator, c10::Device device,
                            const std::vector<int64_t>& shape);

}  // namespace ttnn_device::aten
