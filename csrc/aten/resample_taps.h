// Separable resampling along one dim as taps: each output position is the sum over taps of a weight times
// the input at the tap's source position. Upsampling (nearest, bilinear, bicubic) and adaptive average
// pooling are this pattern; a forward pass gathers the taps, a gradient scatter-adds them back, so both
// use one set of source positions and weights, computed on the device in FLOAT32 as torch computes them.
#pragma once

#include <c10/core/Device.h>

#include <optional>
#include <vector>

#include "aten/tt_view.h"

namespace ttnn_device::aten {

enum class Mode { kNearest, kBilinear, kBicubic };

struct Tap {
  TtTensor source;                // [out] FLOAT32 whole numbers: the input position each output reads
  std::optional<TtTensor> weight;  // [out] FLOAT32, or none for a weight of one
};

// The taps of torch's upsampling of one dim from `in` to `out` positions (`given`: the scale factor
// passed, if any).
std::vector<Tap> upsample_taps(int64_t in, int64_t out, Mode mode, bool align_corners, std::optional<double> given,
                               c10::Device device);
// The taps of adaptive average pooling of one dim from `in` to `out` positions: bin o averages
// [floor(o * in / out), ceil((o + 1) * in / out)).
std::vector<Tap> adaptive_average_taps(int64_t in, int64_t out, c10::Device device);

// `t` (FLOAT32, rank r) resampled along `dim` by `taps`.
TtTensor apply_taps(const TtTensor& t, int64_t dim, const std::vector<Tap>& taps);
// The gradient of apply_taps: `grad` (the output's gradient) scatter-added back along `dim` into `in`
// positions.
TtTensor scatter_taps(const TtTensor& grad, int64_t dim, int64_t in, const std::vector<Tap>& taps);

}  // namespace ttnn_device::aten
