// Between torch tensors and TT tensors. A torch view becomes a TT tensor through vocabulary ops (as is
// for a dense whole storage; else reshape, slice, permute, expand of its storage), or the kernel
// declines. Results become torch tensors over their new buffers; out= and in-place destinations take
// the result's buffer when they are a whole dense storage, and get a vocabulary write-back otherwise.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <optional>

#include "aten/native.h"
#include "ops/tt_tensor.h"

namespace ttnn_device::aten {

using ops::DataType;
using ops::Layout;
using ops::TtTensor;

// TT-NN's data type for the math of a torch dtype; declines for dtypes TT-NN computes nothing in
// (float64, int64, float16, complex, int16 as signed, ...).
DataType math_type(c10::ScalarType dtype);
// The same for ops that only move elements (int16 moves as UINT16 bits, bool as UINT8).
DataType bits_type(c10::ScalarType dtype);
bool has_math_type(c10::ScalarType dtype);

// Whether `t` is its whole storage, dense and in order (a tensor the storage was made for).
bool is_whole_storage(const at::Tensor& t);

// The TT tensor of a view (any sizes, strides, offset) with the elements read as `as` (bits_type or
// math_type of its dtype). Declines what the vocabulary cannot express.
TtTensor to_tt(const at::Tensor& view, bool math = true);
// The same, in `layout`: a whole-storage view is converted in place once (the storage stays resident in
// that layout, every alias sees it); anything else is converted for this call (a counted to_layout).
TtTensor to_tt_in(const at::Tensor& view, Layout layout, bool math = true);
// A [B, S, H, D] view of a whole TILE [B, H, S, D] storage (attention's context with its heads moved back
// beside each other, as models view it before merging them into [B, S, H * D]) as TT-NN's
// concatenate_heads of that storage: a TILE [B, S, H * D] tensor, the view's elements in memory order, one
// tile copy instead of an untilize, a permute and a tilize. nullopt for any other view, for D not a multiple
// of 32, and for formats other than FLOAT32 and BFLOAT16.
std::optional<TtTensor> heads_concatenated(const at::Tensor& view);
// Attention's q [B, H, S, D], k and v [B, Hkv, S, D] as head views of the rows a projection wrote: one fused
// [B, S, (H + 2 Hkv) D] TILE storage (q, k and v side by side) or three [B, S, H(kv) D] TILE storages. Split by
// TT-NN's split_query_key_value_and_split_heads (the separate k and v concatenated first) into three TILE
// tensors of those shapes: tile copies instead of an untilize, a permute and a tilize per tensor. nullopt for
// any other views, for D not a multiple of 32, and for formats other than FLOAT32 and BFLOAT16.
std::optional<std::array<TtTensor, 3>> heads_split(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
// Converts to the data type `dtype` if it differs (a counted typecast).
TtTensor cast(const TtTensor& t, DataType dtype);
TtTensor cast(TtTensor&& t, DataType dtype);
// A whole-storage parameter (a norm's weights or statistics) in `dtype`: converted once and kept
// beside the storage until its contents change, as TT-NN models prepare parameters once, so a
// resident parameter costs no conversion per call.
TtTensor resident_cast(const at::Tensor& parameter, DataType dtype);

// A new torch tensor of `dtype` over a result's buffer, with `sizes` (and `strides`, default contiguous);
// the result's elements must be the tensor's in memory order.
at::Tensor wrap(TtTensor result, c10::ScalarType dtype, c10::IntArrayRef sizes,
                c10::OptionalIntArrayRef strides = std::nullopt);
// An int64 tensor over INT32 values TT-NN computed (indices, positions): the int64 bytes are each value's
// INT32 word and its sign word, so TT-NN lays them out as an INT32 [..., 2] tensor; exact for every value
// TT-NN's 32-bit result can hold.
at::Tensor wrap_int64(const TtTensor& values, c10::IntArrayRef sizes, c10::OptionalIntArrayRef strides = std::nullopt);
// The elements of `t` as words TT-NN has a data type for (32-, 16- or 8-bit), one more dim of words per
// element, over t's storage: float64, int64 and complex elements move through TT-NN's data movement ops
// bit for bit, and int64 math works on the two INT32 words of each element.
at::Tensor as_words(const at::Tensor& t);
// Whether t's elements have no TT-NN data type (int64, float64, complex64) but are made of INT32 words, which
// TT-NN's gather, embedding and repeat carry bit for bit: those kernels then work on as_words(t).
bool moves_as_words(const at::Tensor& t);
// A contiguous [..., k] tensor of such words (a data movement's result) read back as elements of `dtype`.
at::Tensor from_words(const at::Tensor& words, c10::ScalarType dtype);
// An int64 tensor over explicit low and high INT32 words (TT tensors of the same shape).
at::Tensor wrap_int64_words(const TtTensor& low, const TtTensor& high, c10::IntArrayRef sizes);
// Index tensors (int64 or int32) as TT-NN's 32-bit indices: an int64 index is its low word (its storage
// read as INT32 pairs), exact for every index in [-2^31, 2^31), which covers every valid index of a
// tensor TT-NN can hold.
TtTensor index_words(const at::Tensor& indices);
// Makes `dst` (an out= or in-place destination, already of the right sizes) hold `result`'s elements,
// taken in `dst`'s logical order.
void write_into(const at::Tensor& dst, TtTensor result);
// An out= destination resized as torch resizes outputs, then written.
const at::Tensor& write_out(const at::Tensor& out, TtTensor result, c10::IntArrayRef sizes);
// The same from a functional kernel's torch result (a device copy): the out= form of such a kernel.
at::Tensor& copy_out(at::Tensor& out, const at::Tensor& value);

// The device a kernel works on, checked: every tensor argument on it (CPU 0-d tensors allowed as
// numbers), else decline to the fallback, which raises CUDA's errors.
c10::Device device_of(std::initializer_list<const at::Tensor*> tensors);

}  // namespace ttnn_device::aten
