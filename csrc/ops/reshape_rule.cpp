#include "ops/reshape_rule.h"

#include <stdexcept>
#include <string>

namespace ttnn_device::ops {

std::vector<int64_t> resolve_reshape(std::vector<int64_t> shape, int64_t numel) {
  int64_t known = 1, unknown = -1;
  for (size_t i = 0; i < shape.size(); ++i) (shape[i] == -1 ? unknown = static_cast<int64_t>(i) : known *= shape[i]);
  if (unknown >= 0) shape[unknown] = known == 0 ? 0 : numel / known;
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  if (total != numel) {
    throw std::invalid_argument("reshape to a shape of " + std::to_string(total) + " elements from " +
                                std::to_string(numel));
  }
  return shape;
}

}  // namespace ttnn_device::ops
