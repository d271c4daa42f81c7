// Copies between ttnn and CPU tensors, and between ttnn tensors (same or different device): copy_,
// _copy_from, _copy_from_and_resize, and reading one element (_local_scalar_dense, i.e. .item()).
#include <ATen/ATen.h>
#include <ATen/MemoryOverlap.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include <memory>

#include "aten/int64_math.h"
#include "aten/tt_view.h"
#include "ops/dispatch.h"
#include "core/fallback.h"
#include "core/pinned_host.h"
#include "core/tensor_access.h"
#include "core/transfers.h"

namespace ttnn_device::aten {
namespace {

using core::is_ttnn;

void check_copyable(const at::Tensor& tensor) {
  TORCH_CHECK(tensor.layout() == c10::kStrided, "ttnn copies support strided tensors only, got layout ",
              tensor.layout());
  TORCH_CHECK(!tensor.is_quantized(), "ttnn does not hold quantized tensors");
  TORCH_CHECK(is_ttnn(tensor) || tensor.device().is_cpu(), "copies to or from ttnn need a CPU or ttnn tensor, got ",
              tensor.device());
}

bool is_plain_same_layout_copy(const at::Tensor& src, const at::Tensor& dst) {
  return src.device() == dst.device() && src.dtype() == dst.dtype() && src.sizes() == dst.sizes() &&
         src.strides() == dst.strides() && src.is_non_overlapping_and_dense() && dst.is_non_overlapping_and_dense() &&
         src.is_conj() == dst.is_conj() && src.is_neg() == dst.is_neg();
}

// Host <-> device copy between views with the same element layout: bytes move directly between the CPU
// tensor's memory and the device, with no staging copy on the host. A non-blocking copy of a whole
// buffer from pinned memory is queued where the backend has a transfer queue (the hardware backend) and
// overlaps what the caller does next; the source's storage is kept alive until it is done, and, as with
// CUDA, the caller must not change the source before synchronising.
bool try_direct_transfer(const at::Tensor& src, const at::Tensor& dst, bool non_blocking) {
  if (src.dtype() != dst.dtype() || src.sizes() != dst.sizes() || src.strides() != dst.strides()) return false;
  if (!src.is_non_overlapping_and_dense() || src.is_conj() != dst.is_conj() || src.is_neg() != dst.is_neg()) {
    return false;
  }
  const uint64_t itemsize = src.element_size();
  const uint64_t bytes = src.numel() * itemsize;
  // Dense views with equal strides start at their lowest element, so the spans correspond byte for byte.
  if (is_ttnn(src)) {
    core::buffer_of(src).read(src.storage_offset() * itemsize, bytes, dst.data_ptr());
    core::count_device_to_host(bytes);
  } else {
    core::DeviceBuffer& buffer = core::buffer_of(dst);
    const bool queued = non_blocking && dst.storage_offset() == 0 && bytes == buffer.logical_bytes() &&
                        core::is_pinned_host(src.data_ptr()) &&
                        buffer.write_all_async(src.data_ptr(), std::make_shared<c10::Storage>(src.storage()));
    if (!queued) buffer.write(dst.storage_offset() * itemsize, bytes, src.data_ptr());
    core::count_host_to_device(bytes);
  }
  return true;
}

// Device to device on one device through the vocabulary: src seen with dst's sizes (slice, permute,
// expand), converted to dst's data type (typecast), written into dst. False (with the reason noted for the
// fallback count) when TT-NN cannot do it as torch does.
TtTensor call(const char* op, const ops::Value& a, const ops::Value& b) {
  return ops::call1(op, {{"input_tensor_a", a}, {"input_tensor_b", b}});
}

// The two 32-bit words of each int64 element: [..., 2] INT32 (low word first).
TtTensor int64_words(const at::Tensor& t) { return to_tt(as_words(t), /*math=*/false); }
TtTensor word(const TtTensor& words, int64_t which) {
  std::vector<int64_t> starts(words.shape.size(), 0), ends = words.shape;
  starts.back() = which;
  ends.back() = which + 1;
  TtTensor w = ops::call1("slice", {{"input_tensor", words}, {"starts", starts}, {"ends", ends}});
  std::vector<int64_t> shape(words.shape.begin(), words.shape.end() - 1);
  return ops::call1("reshape", {{"input_tensor", w}, {"shape", shape}});
}

// `values` converted to dtype `to`, as torch converts. bool is "not zero" (TT-NN's typecast would
// round); int64 sources go by their words: to int32 the low word (torch truncates), to bool either
// word non-zero, to floats hi * 2^32 + lo with the low word signed (one rounding for every value below
// 2^31 in magnitude; above, TT-NN's FLOAT32 add may round once more); other int64 conversions decline.
TtTensor converted(const at::Tensor& values, c10::ScalarType to) {
  const c10::ScalarType from = values.scalar_type();
  if (from == to) return to_tt(values, /*math=*/false);
  if (from == c10::kLong) {
    TtTensor words = int64_words(values);
    if (to == c10::kInt) return word(words, 0);
    if (to == c10::kBool) {
      TtTensor any = ops::call1("max", {{"input_tensor", call("ne", words, 0.0)}, {"dim", std::vector<int64_t>{static_cast<int64_t>(words.shape.size()) - 1}}, {"keepdim", false}});
      return cast(any, DataType::UINT8);
    }
    if (to != c10::kFloat && to != c10::kBFloat16) decline(std::string("an int64 conversion to ") + c10::toString(to));
    TtTensor low = word(words, 0);
    TtTensor high = call("add", word(words, 1), call("lt", low, 0.0));  // undo the low word's sign
    TtTensor value = call("add", call("multiply", cast(high, DataType::FLOAT32), 4294967296.0), cast(low, DataType::FLOAT32));
    return cast(value, math_type(to));
  }
  TtTensor t = to_tt(values, /*math=*/true);
  if (to == c10::kBool) return cast(call("ne", t, 0.0), DataType::UINT8);
  return cast(t, math_type(to));
}

// Floats into int64 as torch converts them: toward zero, then exactly by the words of those whole numbers.
at::Tensor float_to_int64(const at::Tensor& values) {
  const TtTensor whole = ops::call1("trunc", {{"input_tensor", cast(to_tt(values, /*math=*/true), DataType::FLOAT32)}});
  return int64_from_integral_floats(whole, values.sizes());
}

bool vocabulary_copy(const at::Tensor& src, const at::Tensor& dst) {
  if (src.device() == dst.device() && src.scalar_type() == dst.scalar_type() &&
      core::natural_format(src.scalar_type()).type == runtime::DataType::RAW) {
    if (src.is_conj() || src.is_neg() || dst.is_conj() || dst.is_neg()) {
      core::set_decline_reason("a copy of a view with the conjugate or negative bit");
      return false;
    }
    try {
      write_into(as_words(dst), to_tt(as_words(src.expand_as(dst)), /*math=*/false));
      return true;
    } catch (const Decline& d) {
      core::set_decline_reason(d.reason);
      return false;
    }
  }
  if (src.device() != dst.device()) {
    core::set_decline_reason("a copy between two devices");
    return false;
  }
  try {
    const at::Tensor values = src.expand_as(dst);
    if (dst.scalar_type() == c10::kLong) {
      // Into int64: from floats by their two words; else the INT32 value and its sign word (exact from
      // bool, uint8 and int32).
      at::Tensor pairs = at::isFloatingType(src.scalar_type()) ? float_to_int64(values)
                                                               : wrap_int64(converted(values, c10::kInt), dst.sizes());
      write_into(as_words(dst), to_tt(as_words(pairs), /*math=*/false));
      return true;
    }
    if (src.scalar_type() == dst.scalar_type() && is_whole_storage(dst)) {
      // Attention heads merged back (context.transpose(1, 2) made contiguous): one TT-NN op, whose
      // [B, S, H * D] buffer the destination takes whole.
      if (auto merged = heads_concatenated(values)) {
        write_into(dst, std::move(*merged));
        return true;
      }
    }
    write_into(dst, src.scalar_type() == dst.scalar_type() ? to_tt(values, /*math=*/false)
                                                           : converted(values, dst.scalar_type()));
    return true;
  } catch (const Decline& d) {
    core::set_decline_reason(d.reason);
    return false;
  }
}

// Copies src's values into dst (broadcasting src, converting dtype), whichever side is on ttnn.
void copy_values(const at::Tensor& src, const at::Tensor& dst, bool non_blocking = false) {
  check_copyable(src);
  check_copyable(dst);
  if (dst.numel() == 0) return;
  if (is_ttnn(src) != is_ttnn(dst) && try_direct_transfer(src, dst, non_blocking)) return;
  if (!is_ttnn(dst)) {
    at::Tensor host = core::read_to_host(src);
    core::count_device_to_host(core::spanned_bytes(src));
    dst.copy_(host);
    return;
  }
  c10::DeviceGuard guard(dst.device());
  if (!is_ttnn(src)) {
    at::Tensor values = src.expand_as(dst);
    core::count_host_to_device(src.numel() * src.element_size());
    core::write_from_host(dst, values);
    return;
  }
  if (is_plain_same_layout_copy(src, dst)) {
    const uint64_t itemsize = src.element_size();
    core::DeviceBuffer::copy(core::buffer_of(src), src.storage_offset() * itemsize, core::buffer_of(dst),
                             dst.storage_offset() * itemsize, dst.numel() * itemsize);
    return;
  }
  if (vocabulary_copy(src, dst)) return;
  // What the vocabulary cannot move (dtypes TT-NN has no type for, copies across devices, conversions
  // TT-NN's typecast does not do as torch does) is staged through the host: a counted CPU fallback.
  core::note_fallback("aten::copy_");
  at::Tensor host = core::read_to_host(src).clone();
  core::write_from_host(dst, host.expand_as(dst));
}

at::Tensor& copy_(at::Tensor& self, const at::Tensor& src, bool non_blocking) {
  if (self.is_same(src)) return self;
  // The CPU's rules for memory shared between destination and source.
  at::assert_no_internal_overlap(self);
  if (is_ttnn(src)) at::assert_no_partial_overlap(self, src);
  copy_values(src, self, non_blocking);
  return self;
}

at::Tensor _copy_from(const at::Tensor& self, const at::Tensor& dst, bool non_blocking) {
  copy_values(self, dst, non_blocking);
  return dst;
}

at::Tensor _copy_from_and_resize(const at::Tensor& self, const at::Tensor& dst) {
  if (dst.sizes() != self.sizes()) dst.resize_(self.sizes());
  copy_values(self, dst);
  return dst;
}

at::Scalar _local_scalar_dense(const at::Tensor& self) {
  TORCH_CHECK(self.numel() == 1, "a Tensor with ", self.numel(), " elements cannot be converted to Scalar");
  at::Tensor host = core::read_to_host(self);
  core::count_device_to_host(self.element_size());
  return host.item();
}

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("copy_", copy_);
  m.impl("_copy_from", _copy_from);
  m.impl("_copy_from_and_resize", _copy_from_and_resize);
  m.impl("_local_scalar_dense", _local_scalar_dense);
}

}  // namespace
}  // namespace ttnn_device::aten
