#include "aten/positions.h"

#include "aten/native.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {

TtTensor positions(int64_t n, c10::Device device) {
  return ops::call1("arange", {{"start", 0.0}, {"end", static_cast<double>(n)}, {"step", 1.0},
                               {"dtype", DataType::FLOAT32}, {"device", static_cast<int64_t>(device.index())}});
}

TtTensor affine(const TtTensor& t, double scale, double shift) {
  TtTensor scaled = scale == 1.0 ? t : ops::call1("multiply", {{"input_tensor_a", t}, {"input_tensor_b", scale}});
  return shift == 0.0 ? scaled : ops::call1("add", {{"input_tensor_a", scaled}, {"input_tensor_b", shift}});
}

TtTensor along(const TtTensor& vector, int64_t dim, int64_t rank) {
  std::vector<int64_t> line(rank, 1);
  line[dim] = vector.numel();
  return ops::call1("reshape", {{"input_tensor", vector}, {"shape", line}});
}

TtTensor index_along(const TtTensor& index, int64_t dim, const std::vector<int64_t>& shape) {
  return ops::call1("expand", {{"input_tensor", along(cast(index, DataType::INT32), dim, static_cast<int64_t>(shape.size()))},
                               {"output_shape", shape}});
}

TtTensor gather_positions(const TtTensor& t, int64_t dim, const TtTensor& index) {
  std::vector<int64_t> full = t.shape;
  full[dim] = index.numel();
  return ops::call1("gather", {{"input", t}, {"dim", dim}, {"index", index_along(index, dim, full)}});
}

}  // namespace ttnn_device::aten
