// TT-NN's reshape target, shared by the backends: one -1 stands for the remaining size (as in torch).
#pragma once

#include <cstdint>
#include <vector>

namespace ttnn_device::ops {

// `shape` with its -1 resolved for `numel` elements; throws std::invalid_argument when it cannot hold them.
std::vector<int64_t> resolve_reshape(std::vector<int64_t> shape, int64_t numel);

}  // namespace ttnn_device::ops
