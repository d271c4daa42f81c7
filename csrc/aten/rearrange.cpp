// Kernels that rearrange elements: repeat, constant / reflection / replication padding, flip, roll,
// gather and scatter. Padding modes and flips are gathers along one dim with positions TT-NN computes
// (arange and elementwise ops), so every mode is the same three ops on the device.
#include <ATen/ATen.h>
#include <torch/library.h>

#include "aten/operands.h"
#include "aten/positions.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

TtTensor reshaped(const TtTensor& t, std::vector<int64_t> shape) {
  return ops::call1("reshape", {{"input_tensor", t}, {"shape", std::move(shape)}});
}

// `t` along `dim` at positions map(0..n-1).
template <class Map>
TtTensor gather_along(const TtTensor& t, int64_t dim, int64_t n, c10::Device device, Map map) {
  return gather_positions(t, dim, map(positions(n, device)));
}

at::Tensor repeat(const at::Tensor& self, c10::IntArrayRef repeats) {
  device_of({&self});
  TORCH_CHECK(static_cast<int64_t>(repeats.size()) >= self.dim(),
              "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  std::vector<int64_t> sizes(repeats.size(), 1), out_sizes;
  std::copy(self.sizes().begin(), self.sizes().end(), sizes.end() - self.dim());
  for (size_t d = 0; d < sizes.size(); ++d) out_sizes.push_back(sizes[d] * repeats[d]);
  if (self.numel() == 0 || c10::multiply_integers(out_sizes) == 0) decline("a repeat with no elements");
  if (moves_as_words(self)) {  // int64 / float64: repeat their 32-bit words, the words' own dim once
    std::vector<int64_t> word_repeats(repeats.begin(), repeats.end());
    word_repeats.push_back(1);
    return from_words(::ttnn_device::aten::repeat(as_words(self), word_repeats), self.scalar_type());
  }
  TtTensor t = reshaped(to_tt(self, false), sizes);
  TtTensor result = ops::call1("repeat", {{"input_tensor", t}, {"repeat_dims", std::vector<int64_t>(repeats.begin(), repeats.end())}});
  return wrap(result, self.scalar_type(), out_sizes);
}

// torch's pad list runs from the last dim outwards, (before, after) each.
std::vector<std::pair<int64_t, int64_t>> pad_pairs(int64_t rank, c10::IntArrayRef pad) {
  TORCH_CHECK(pad.size() % 2 == 0, "Padding length must be divisible by 2");
  TORCH_CHECK(static_cast<int64_t>(pad.size()) / 2 <= rank, "Padding length should be less than or equal to two times the input dimension");
  std::vector<std::pair<int64_t, int64_t>> pairs(rank, {0, 0});
  for (size_t i = 0; i < pad.size() / 2; ++i) pairs[rank - 1 - i] = {pad[2 * i], pad[2 * i + 1]};
  return pairs;
}

// Negative pads crop (a view: the slice is taken when the padded tensor is read); the rest pads.
at::Tensor constant_pad_nd(const at::Tensor& self_in, c10::IntArrayRef pad, const at::Scalar& value) {
  device_of({&self_in});
  auto pairs = pad_pairs(self_in.dim(), pad);
  at::Tensor self = self_in;
  for (int64_t d = 0; d < self.dim(); ++d) {
    auto& [before, after] = pairs[d];
    const int64_t cut_before = std::max<int64_t>(-before, 0), cut_after = std::max<int64_t>(-after, 0);
    if (cut_before + cut_after > self.size(d)) decline("padding that crops more than the dim");  // the CPU raises
    if (cut_before || cut_after) self = self.narrow(d, cut_before, self.size(d) - cut_before - cut_after);
    before = std::max<int64_t>(before, 0);
    after = std::max<int64_t>(after, 0);
  }
  std::vector<int64_t> padding, sizes;
  for (int64_t d = 0; d < self.dim(); ++d) {
    padding.push_back(pairs[d].first);
    padding.push_back(pairs[d].second);
    sizes.push_back(self.size(d) + pairs[d].first + pairs[d].second);
  }
  if (self.numel() == 0) decline("padding an empty tensor");
  const bool math = has_math_type(self.scalar_type());
  if (!math && value.toDouble() != 0.0) decline("a non-zero pad value for a dtype TT-NN has no math in");
  TtTensor result = ops::call1("pad", {{"input_tensor", to_tt(self, math)}, {"padding", padding}, {"value", value.toDouble()}});
  return wrap(result, self.scalar_type(), sizes);
}

enum class PadMode { kReflect, kReplicate };

// Reflection and replication padding of the last `pad.size() / 2` dims: each padded dim is a gather of
// positions i in [-before, n + after) mapped into [0, n).
at::Tensor mode_pad(const at::Tensor& self, c10::IntArrayRef pad, PadMode mode) {
  device_of({&self});
  math_type(self.scalar_type());
  if (self.numel() == 0) decline("padding an empty tensor");
  const auto pairs = pad_pairs(self.dim(), pad);
  TtTensor t = to_tt(self);
  std::vector<int64_t> sizes(self.sizes().begin(), self.sizes().end());
  for (int64_t d = 0; d < self.dim(); ++d) {
    const auto [before, after] = pairs[d];
    if (before == 0 && after == 0) continue;
    const int64_t n = sizes[d];
    if (before < 0 || after < 0) decline("negative (cropping) padding");
    if (mode == PadMode::kReflect) {
      TORCH_CHECK(before < n && after < n, "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (",
                  before, ", ", after, ") at dimension ", d, " of input ", self.sizes());
    }
    const double last = static_cast<double>(n - 1);
    t = gather_along(t, d, n + before + after, self.device(), [&](const TtTensor& p) {
      TtTensor i = affine(p, 1.0, -static_cast<double>(before));  // the position in the unpadded dim
      if (mode == PadMode::kReplicate) return ops::call1("clamp", {{"input_tensor", i}, {"min", 0.0}, {"max", last}});
      // reflect: last - |last - |i||
      TtTensor inner = affine(ops::call1("abs", {{"input_tensor", i}}), -1.0, last);
      return affine(ops::call1("abs", {{"input_tensor", inner}}), -1.0, last);
    });
    sizes[d] = n + before + after;
  }
  return wrap(t, self.scalar_type(), sizes);
}

#define TTNN_MODE_PAD(name, mode)                                                               \
  at::Tensor name(const at::Tensor& self, c10::IntArrayRef pad) { return mode_pad(self, pad, mode); } \
  at::Tensor& name##_out(const at::Tensor& self, c10::IntArrayRef pad, at::Tensor& out) {      \
    return copy_out(out, mode_pad(self, pad, mode));                                           \
  }
TTNN_MODE_PAD(reflection_pad, PadMode::kReflect)
TTNN_MODE_PAD(replication_pad, PadMode::kReplicate)
#undef TTNN_MODE_PAD

at::Tensor flip(const at::Tensor& self, c10::IntArrayRef dims) {
  device_of({&self});
  if (self.dim() == 0 || self.numel() == 0) decline("flipping a 0-d or empty tensor");
  const bool math = has_math_type(self.scalar_type());
  TtTensor t = to_tt(self, math);
  std::vector<bool> seen(self.dim(), false);
  for (int64_t d : dims) {
    d = c10::maybe_wrap_dim(d, self.dim());
    TORCH_CHECK(!seen[d], "dim ", d, " appears multiple times in the list of dims");
    seen[d] = true;
    const int64_t n = self.size(d);
    if (n > 1) t = gather_along(t, d, n, self.device(), [&](const TtTensor& p) { return affine(p, -1.0, n - 1.0); });
  }
  return wrap(t, self.scalar_type(), self.sizes());
}

// roll: per dim, the last `shift` elements move to the front (two slices and a concat).
at::Tensor roll(const at::Tensor& self, c10::IntArrayRef shifts, c10::IntArrayRef dims) {
  device_of({&self});
  TORCH_CHECK(!shifts.empty(), "`shifts` required");
  TORCH_CHECK(dims.empty() ? shifts.size() == 1 : shifts.size() == dims.size(), "shifts and dimensions must align. shifts: ",
              shifts.size(), ", dims:", dims.size());
  // The CPU's IndexError for a dim out of range (a 0-d tensor has no dim 0 to roll).
  for (const int64_t d : dims) c10::maybe_wrap_dim(d, self.dim(), /*wrap_scalar=*/false);
  if (self.numel() == 0) decline("rolling an empty tensor");
  const bool math = has_math_type(self.scalar_type());
  TtTensor t = to_tt(self, math);
  std::vector<int64_t> roll_dims(dims.begin(), dims.end());
  if (dims.empty()) {
    t = reshaped(t, {self.numel()});
    roll_dims = {0};
  }
  for (size_t i = 0; i < roll_dims.size(); ++i) {
    const int64_t d = c10::maybe_wrap_dim(roll_dims[i], static_cast<int64_t>(t.shape.size()));
    const int64_t n = t.shape[d];
    const int64_t shift = ((shifts[i] % n) + n) % n;
    if (shift == 0) continue;
    std::vector<int64_t> starts(t.shape.size(), 0), ends = t.shape;
    auto part = [&](int64_t from, int64_t to) {
      starts[d] = from;
      ends[d] = to;
      return ops::call1("slice", {{"input_tensor", t}, {"starts", starts}, {"ends", ends}});
    };
    TtTensor tail = part(n - shift, n), head = part(0, n - shift);
    t = ops::call1("concat", {{"tensors", std::vector<TtTensor>{tail, head}}, {"dim", d}});
  }
  return wrap(reshaped(t, std::vector<int64_t>(self.sizes().begin(), self.sizes().end())), self.scalar_type(), self.sizes());
}

at::Tensor gather(const at::Tensor& self, int64_t dim, const at::Tensor& index, bool /*sparse_grad*/) {
  device_of({&self, &index});
  dim = c10::maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1));
  if (self.dim() == 0 || index.dim() != self.dim() || index.numel() == 0) decline("a gather of 0-d, empty or rank-changing index");
  for (int64_t d = 0; d < self.dim(); ++d) {
    TORCH_CHECK(d == dim || index.size(d) <= self.size(d), "Size does not match at dimension ", d,
                " expected index ", index.sizes(), " to be no larger than self ", self.sizes(), " apart from dimension ", dim);
  }
  if (moves_as_words(self)) {  // int64 / float64: gather whole elements as their 32-bit words
    std::vector<int64_t> sizes(index.sizes().begin(), index.sizes().end());
    sizes.push_back(self.element_size() / 4);
    at::Tensor words = ::ttnn_device::aten::gather(as_words(self), dim, index.unsqueeze(-1).expand(sizes), false);
    return from_words(words, self.scalar_type());
  }
  const bool math = has_math_type(self.scalar_type());
  TtTensor result = ops::call1("gather", {{"input", to_tt(self, math)}, {"dim", dim}, {"index", index_words(index)}});
  return wrap(result, self.scalar_type(), index.sizes());
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("repeat", ATEN_OP(repeat), &repeat);
  TTNN_NATIVE("constant_pad_nd", ATEN_OP(constant_pad_nd), &constant_pad_nd);
  TTNN_NATIVE("reflection_pad1d", ATEN_OP(reflection_pad1d), &reflection_pad);
  TTNN_NATIVE("reflection_pad2d", ATEN_OP(reflection_pad2d), &reflection_pad);
  TTNN_NATIVE("reflection_pad3d", ATEN_OP(reflection_pad3d), &reflection_pad);
  TTNN_NATIVE("reflection_pad1d.out", ATEN_OP2(reflection_pad1d, out), &reflection_pad_out);
  TTNN_NATIVE("reflection_pad2d.out", ATEN_OP2(reflection_pad2d, out), &reflection_pad_out);
  TTNN_NATIVE("replication_pad1d", ATEN_OP(replication_pad1d), &replication_pad);
  TTNN_NATIVE("replication_pad2d", ATEN_OP(replication_pad2d), &replication_pad);
  TTNN_NATIVE("replication_pad3d", ATEN_OP(replication_pad3d), &replication_pad);
  TTNN_NATIVE("replication_pad1d.out", ATEN_OP2(replication_pad1d, out), &replication_pad_out);
  TTNN_NATIVE("replication_pad2d.out", ATEN_OP2(replication_pad2d, out), &replication_pad_out);
  TTNN_NATIVE("flip", ATEN_OP(flip), &flip);
  TTNN_NATIVE("roll", ATEN_OP(roll), &roll);
  TTNN_NATIVE("gather", ATEN_OP(gather), &gather);
}

}  // namespace
}  // namespace ttnn_device::aten
