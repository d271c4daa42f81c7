// Element positions computed on the device: an arange of positions along one dim, mapped by TT-NN's
// elementwise ops into source positions, then used as a gather index. Padding modes, flips and
// resampling are all this pattern.
#pragma once

#include <c10/core/Device.h>

#include "aten/tt_view.h"

namespace ttnn_device::aten {

// 0, 1, ..., n-1 as a FLOAT32 [n] tensor on `device`.
TtTensor positions(int64_t n, c10::Device device);
// t * scale + shift (elementwise, TT-NN's multiply and add).
TtTensor affine(const TtTensor& t, double scale, double shift);
// An INT32 index of `shape` holding `index` ([n] FLOAT32 whole numbers) along `dim`: the same position
// for every index of the other dims.
TtTensor index_along(const TtTensor& index, int64_t dim, const std::vector<int64_t>& shape);
// The elements of `t` at source positions `index` ([n] FLOAT32 holding whole numbers) along `dim`: a
// TT-NN gather with the index typecast to INT32 and expanded over t's other dims.
TtTensor gather_positions(const TtTensor& t, int64_t dim, const TtTensor& index);
// A [n] vector shaped to broadcast along `dim` of a tensor of rank `rank`.
TtTensor along(const TtTensor& vector, int64_t dim, int64_t rank);

}  // namespace ttnn_device::aten
