#include "aten/tt_view.h"

#include <ATen/ATen.h>
#include <ATen/native/Resize.h>
#include <c10/core/TensorImpl.h>

#include "core/tensor_access.h"
#include "ops/dispatch.h"
#include "ops/view_plan.h"

#include <algorithm>

namespace ttnn_device::aten {

namespace {

std::vector<int64_t> vec(c10::IntArrayRef a) { return std::vector<int64_t>(a.begin(), a.end()); }

TtTensor reshape(const TtTensor& t, const std::vector<int64_t>& shape) {
  if (t.shape == shape) return t;
  return ops::call1("reshape", {{"input_tensor", t}, {"shape", shape}});
}

// The TT tensor of a view's whole storage, its elements read as `type`.
TtTensor storage_tensor(const at::Tensor& view, DataType type, int64_t storage_elements) {
  core::DeviceBuffer& buffer = core::buffer_of(view);
  TtTensor base;
  base.storage = view.storage();
  bool stored_shape = false;
  const bool typed = buffer.inspect([&](const runtime::TensorDesc& desc) {
    if (desc.data_type == DataType::RAW || desc.host_type != ops::host_type_for(type)) return false;
    base.layout = desc.layout;
    base.dtype = desc.data_type;
    base.host_type = desc.host_type;
    stored_shape = ops::numel_of(desc.shape) == storage_elements;
    if (stored_shape) base.shape = desc.shape;
    return true;
  });
  if (!stored_shape) base.shape = {storage_elements};
  if (!typed) {
    // Untyped bytes, or a storage typed as another element type: TT-NN can read them as `type` only
    // where the bytes are the elements themselves.
    if (!buffer.holds_logical_bytes()) decline("the storage holds another element type in a converted format");
    base.layout = Layout::ROW_MAJOR;
    base.dtype = type;
    base.host_type = type;
  }
  return base;
}

// The elements a view plan takes from its storage, as one slice of the storage in the shape it is stored
// in when the slice can be drawn there (no reshape first), else in the coarsest shape that draws it;
// never through a flat 1-d reshape where avoidable, which for a TILE storage would re-tile it into a
// single padded row.
TtTensor dense_slice(const TtTensor& base, const ops::ViewPlan& plan, int64_t storage_elements) {
  if (auto box = ops::storage_box(plan, storage_elements, base.shape)) {
    if (box->whole()) return base;
    return ops::call1("slice", {{"input_tensor", reshape(base, box->shape)}, {"starts", box->starts}, {"ends", box->ends}});
  }
  TtTensor flat = ops::call1("slice", {{"input_tensor", reshape(base, {storage_elements})},
                                       {"starts", std::vector<int64_t>{plan.begin}},
                                       {"ends", std::vector<int64_t>{plan.end}}});
  flat = reshape(flat, plan.dense);
  if (!plan.needs_slice()) return flat;
  return ops::call1("slice", {{"input_tensor", flat}, {"starts", plan.starts}, {"ends", plan.ends}});
}

}  // namespace

bool has_math_type(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::kFloat:
    case c10::kBFloat16:
    case c10::kInt:
    case c10::kBool:
    case c10::kByte: return true;
    default: return false;
  }
}

DataType math_type(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::kFloat: return DataType::FLOAT32;
    case c10::kBFloat16: return DataType::BFLOAT16;
    case c10::kInt: return DataType::INT32;
    case c10::kBool:
    case c10::kByte: return DataType::UINT8;
    default: break;
  }
  decline(std::string("TT-NN has no math in ") + c10::toString(dtype));
}

DataType bits_type(c10::ScalarType dtype) {
  const auto natural = core::natural_format(dtype);
  if (natural.type == DataType::RAW) decline(std::string("TT-NN has no data type for ") + c10::toString(dtype));
  return natural.type;
}

namespace {

// The last two dims as TILE tiles them (a rank below 2 counts as [1, ...]).
std::pair<int64_t, int64_t> tiled_dims(const std::vector<int64_t>& shape) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  return {rank >= 2 ? shape[rank - 2] : 1, rank >= 1 ? shape[rank - 1] : 1};
}

// Whether TILE holds `shape` badly: its last two dims far below a tile, so that most of every tile is
// padding (a [.., 4, 48] head split pads 192 values to 2048).
bool tiles_badly(const std::vector<int64_t>& shape) {
  const auto [height, width] = tiled_dims(shape);
  return height * width > 0 && ((height + 31) / 32 * 32) * ((width + 31) / 32 * 32) > 2 * height * width;
}

// A TILE storage whose view passes through shapes TILE holds badly moves as ROW_MAJOR instead: one counted
// to_layout, after which reshapes are free and slices and permutes move only the elements, where each
// re-tiling step would convert the padded whole.
TtTensor movable(const TtTensor& base, std::initializer_list<const std::vector<int64_t>*> shapes) {
  if (base.layout != Layout::TILE || runtime::is_block_float(base.dtype)) return base;
  for (const auto* shape : shapes) {
    // Shapes with the base's tiles are free reshapes of it.
    if (tiled_dims(*shape) != tiled_dims(base.shape) && tiles_badly(*shape)) {
      return ops::call1("to_layout", {{"tensor", base}, {"layout", Layout::ROW_MAJOR}});
    }
  }
  return base;
}

// Whether a view plan's slice of a TILE storage takes whole tiles of it as stored: drawn in the stored
// shape, starting on a tile boundary in the last two dims and ending on one or at the dim's end. Such a
// slice moves tiles unchanged, so it goes first, and a conversion the rest of the plan needs converts
// only what the view takes (a q, k or v cut from a fused qkv projection: a third, not the whole).
bool slices_whole_tiles(const TtTensor& base, const ops::ViewPlan& plan, int64_t storage_elements) {
  if (base.layout != Layout::TILE || runtime::is_block_float(base.dtype) || base.shape.size() < 2) return false;
  const auto box = ops::storage_box(plan, storage_elements, base.shape);
  return box && !box->whole() && box->shape == base.shape && ops::takes_whole_tiles(box->shape, box->starts, box->ends);
}

}  // namespace

bool is_whole_storage(const at::Tensor& t) {
  return t.is_contiguous() && t.storage_offset() == 0 &&
         static_cast<size_t>(t.numel()) * t.element_size() == t.storage().nbytes();
}

TtTensor to_tt(const at::Tensor& view, bool math) {
  const DataType type = math ? math_type(view.scalar_type()) : bits_type(view.scalar_type());
  if (!core::is_ttnn(view)) decline("an operand is not on the ttnn device");
  if (view.is_conj() || view.is_neg()) decline("a view with the conjugate or negative bit");
  if (view.numel() == 0) return ops::allocate(view.device(), vec(view.sizes()), Layout::ROW_MAJOR, type, type);
  const int64_t storage_elements = static_cast<int64_t>(view.storage().nbytes() / view.element_size());
  TtTensor base = storage_tensor(view, type, storage_elements);
  if (view.is_contiguous() && view.storage_offset() == 0 && view.numel() == storage_elements) {
    if (c10::IntArrayRef(base.shape) == view.sizes()) return base;
    const std::vector<int64_t> sizes = vec(view.sizes());
    return reshape(movable(base, {&sizes}), sizes);
  }
  auto plan = ops::plan_view(vec(view.sizes()), vec(view.strides()), view.storage_offset(), storage_elements);
  if (!plan) decline("a view whose strides TT-NN's slice/permute/expand cannot express");
  std::vector<int64_t> permuted;
  for (int64_t d : plan->permutation) permuted.push_back(plan->compact[d]);
  TtTensor t;
  if (slices_whole_tiles(base, *plan, storage_elements)) {
    t = movable(dense_slice(base, *plan, storage_elements), {&plan->compact, &permuted, &plan->unexpanded});
  } else {
    base = movable(base, {&plan->dense, &plan->compact, &permuted, &plan->unexpanded});
    t = dense_slice(base, *plan, storage_elements);
  }
  t = reshape(t, plan->compact.empty() ? std::vector<int64_t>{1} : plan->compact);
  if (plan->needs_permute()) t = ops::call1("permute", {{"input_tensor", t}, {"dims", plan->permutation}});
  t = reshape(t, plan->unexpanded);
  if (plan->needs_expand()) t = ops::call1("expand", {{"input_tensor", t}, {"output_shape", plan->sizes}});
  return t;
}

namespace {
// The whole storage of `t` seen as `shape` (which has t's element count): a TILE FLOAT32/BFLOAT16 buffer
// whose stored tiles are those of `shape` (the same last two dims), so the reshape is free. nullopt
// otherwise, or where the storage holds more than `shape`'s elements.
std::optional<TtTensor> stored_tiles_as(const at::Tensor& t, const std::vector<int64_t>& shape) {
  const DataType type = bits_type(t.scalar_type());
  if (type != DataType::FLOAT32 && type != DataType::BFLOAT16) return std::nullopt;
  const int64_t storage_elements = static_cast<int64_t>(t.storage().nbytes() / t.element_size());
  if (storage_elements != ops::numel_of(shape)) return std::nullopt;
  const TtTensor base = storage_tensor(t, type, storage_elements);
  if (base.layout != Layout::TILE || base.dtype != type || tiled_dims(base.shape) != tiled_dims(shape)) {
    return std::nullopt;
  }
  return reshape(base, shape);
}
}  // namespace

std::optional<TtTensor> heads_concatenated(const at::Tensor& view) {
  if (view.dim() != 4 || view.storage_offset() != 0 || !core::is_ttnn(view)) return std::nullopt;
  const int64_t batch = view.size(0), rows = view.size(1), heads = view.size(2), width = view.size(3);
  if (heads < 2 || rows < 2 || width == 0 || width % 32 != 0) return std::nullopt;
  // Strides of the [B, H, S, D] storage seen as [B, S, H, D] (a batch of one may have any outer stride).
  if ((batch > 1 && view.stride(0) != heads * rows * width) || view.stride(1) != width ||
      view.stride(2) != rows * width || view.stride(3) != 1) {
    return std::nullopt;
  }
  // Stored with the same last two dims ([B * H, S, D] from a batched matmul, say): a free reshape.
  auto base = stored_tiles_as(view, {batch, heads, rows, width});
  if (!base) return std::nullopt;
  return ops::call1("transformer.concatenate_heads", {{"input_tensor", *base}});
}

namespace {
// A [B, H, S, D] view whose rows are rows of width `row` of its storage, heads side by side (strides
// [S * row, D, row, 1]; a batch of one may have any outer stride), D a multiple of 32, as a projection's
// output seen as heads. Returns `row`, or 0.
int64_t head_view_row(const at::Tensor& t) {
  if (t.dim() != 4 || t.size(1) < 1 || t.size(2) < 1 || t.size(3) == 0 || t.size(3) % 32 != 0) return 0;
  const int64_t row = t.stride(2);
  if (t.stride(3) != 1 || t.stride(1) != t.size(3) || row < t.size(1) * t.size(3)) return 0;
  if (t.size(0) > 1 && t.stride(0) != t.size(2) * row) return 0;
  return row;
}

// The storage of a head view as TT-NN rows [B, S, row] (stored_tiles_as).
std::optional<TtTensor> head_rows(const at::Tensor& t, int64_t row) { return stored_tiles_as(t, {t.size(0), t.size(2), row}); }
}  // namespace

std::optional<std::array<TtTensor, 3>> heads_split(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  for (const at::Tensor* t : {&q, &k, &v}) {
    if (!core::is_ttnn(*t) || t->scalar_type() != q.scalar_type() || t->is_conj() || t->is_neg()) return std::nullopt;
  }
  const int64_t heads = q.size(1), kv_heads = k.size(1), width = q.size(3);
  if (k.sizes() != v.sizes() || k.size(0) != q.size(0) || k.size(3) != width || k.size(2) != q.size(2)) {
    return std::nullopt;  // TT-NN's split takes one sequence for q, k and v
  }
  const int64_t q_row = head_view_row(q), k_row = head_view_row(k), v_row = head_view_row(v);
  if (q_row == 0 || k_row == 0 || v_row == 0) return std::nullopt;
  ops::Args args{{"num_heads", heads}, {"num_kv_heads", kv_heads}, {"transpose_key", false}};
  const bool fused = q.storage().is_alias_of(k.storage()) && q.storage().is_alias_of(v.storage());
  if (fused) {
    // One projection: q, k and v side by side in each row.
    const int64_t row = (heads + 2 * kv_heads) * width;
    if (q_row != row || k_row != row || v_row != row || q.storage_offset() != 0 ||
        k.storage_offset() != heads * width || v.storage_offset() != (heads + kv_heads) * width) {
      return std::nullopt;
    }
    auto rows = head_rows(q, row);
    if (!rows) return std::nullopt;
    args.set("input_tensor", *rows);
  } else {
    if (q_row != heads * width || k_row != kv_heads * width || v_row != kv_heads * width) return std::nullopt;
    if (q.storage_offset() != 0 || k.storage_offset() != 0 || v.storage_offset() != 0) return std::nullopt;
    auto q_rows = head_rows(q, q_row), k_rows = head_rows(k, k_row), v_rows = head_rows(v, v_row);
    if (!q_rows || !k_rows || !v_rows) return std::nullopt;
    args.set("input_tensor", *q_rows);
    args.set("kv_input_tensor", ops::call1("concat", {{"tensors", std::vector<TtTensor>{*k_rows, *v_rows}},
                                                      {"dim", int64_t{2}}}));
  }
  std::vector<TtTensor> split = ops::call("transformer.split_query_key_value_and_split_heads", args);
  return std::array<TtTensor, 3>{split.at(0), split.at(1), split.at(2)};
}

TtTensor to_tt_in(const at::Tensor& view, Layout layout, bool math) {
  TtTensor t = to_tt(view, math);
  if (t.layout == layout || t.numel() == 0) return t;
  const bool whole = is_whole_storage(view);
  TtTensor converted = ops::call1("to_layout", {{"tensor", t}, {"layout", layout}});
  if (whole && t.storage.is_alias_of(view.storage()) && converted.storage.use_count() == 1 &&
      converted.dtype == t.dtype) {
    // Keep the storage resident in the new layout: it takes the converted buffer (all aliases see it).
    auto* dst = view.storage().unsafeGetStorageImpl();
    c10::DataPtr taken = converted.storage.unsafeGetStorageImpl()->set_data_ptr(c10::DataPtr(nullptr, view.device()));
    dst->set_data_ptr_noswap(std::move(taken));
    converted.storage = view.storage();
  }
  return converted;
}

TtTensor cast(const TtTensor& t, DataType dtype) {
  if (t.dtype == dtype) return t;
  return ops::call1("typecast", {{"input_tensor", t}, {"dtype", dtype}});
}

TtTensor cast(TtTensor&& t, DataType dtype) {
  if (t.dtype == dtype) return std::move(t);  // the common case: no copy of the shape
  return cast(static_cast<const TtTensor&>(t), dtype);
}

TtTensor resident_cast(const at::Tensor& parameter, DataType dtype) {
  TtTensor t = to_tt(parameter);
  core::DeviceBuffer* buffer = t.buffer();
  const bool whole = is_whole_storage(parameter);
  if (t.dtype == dtype || !buffer || !whole) return cast(t, dtype);
  // Kept with the parameter's storage (freed with it), valid while its contents and shape are unchanged.
  struct Cast {
    uint64_t generation;
    std::vector<int64_t> shape;
    TtTensor tensor;
  };
  const uint64_t tag = 0x63617374000000ULL + static_cast<uint64_t>(dtype);  // "cast" + the data type
  const uint64_t generation = buffer->generation();
  return buffer
      ->derived_or_make<Cast>(
          tag, [&](const Cast& kept) { return kept.generation == generation && kept.shape == t.shape; },
          [&] { return Cast{generation, t.shape, cast(t, dtype)}; })
      ->tensor;
}

at::Tensor wrap(TtTensor result, c10::ScalarType dtype, c10::IntArrayRef sizes, c10::OptionalIntArrayRef strides) {
  const DataType want = bits_type(dtype);
  if (ops::host_type_for(result.dtype) != want && !(result.numel() == 0)) result = cast(result, want);
  TORCH_CHECK(result.numel() == c10::multiply_integers(sizes), "ttnn: a result of ", ops::describe(result),
              " cannot be a tensor of sizes ", sizes);
  if (result.numel() == 0 || !result.storage) {
    return at::empty(sizes, at::TensorOptions().dtype(dtype).device(c10::Device(c10::DeviceType::PrivateUse1,
                                                                                 c10::impl::getDeviceGuardImpl(c10::DeviceType::PrivateUse1)->getDevice().index())));
  }
  at::Tensor out = at::detail::make_tensor<c10::TensorImpl>(std::move(result.storage),
                                                            c10::DispatchKeySet(c10::DispatchKey::PrivateUse1),
                                                            caffe2::TypeMeta::fromScalarType(dtype));
  if (strides) {
    out.unsafeGetTensorImpl()->set_sizes_and_strides(sizes, *strides);
  } else {
    out.unsafeGetTensorImpl()->set_sizes_contiguous(sizes);
  }
  return out;
}

at::Tensor as_words(const at::Tensor& t) {
  const int64_t size = t.element_size();
  const int64_t word_size = size % 4 == 0 ? 4 : size % 2 == 0 ? 2 : 1;
  const c10::ScalarType word = word_size == 4 ? c10::kInt : word_size == 2 ? c10::kShort : c10::kByte;
  const int64_t k = size / word_size;
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end()), strides;
  for (int64_t s : t.strides()) strides.push_back(s * k);
  sizes.push_back(k);
  strides.push_back(1);
  at::Tensor words = at::detail::make_tensor<c10::TensorImpl>(c10::Storage(t.storage()),
                                                              c10::DispatchKeySet(c10::DispatchKey::PrivateUse1),
                                                              caffe2::TypeMeta::fromScalarType(word));
  words.unsafeGetTensorImpl()->set_sizes_and_strides(sizes, strides, t.storage_offset() * k);
  return words;
}

bool moves_as_words(const at::Tensor& t) { return !has_math_type(t.scalar_type()) && t.element_size() % 4 == 0; }

at::Tensor from_words(const at::Tensor& words, c10::ScalarType dtype) { return words.view(dtype).squeeze(-1); }

namespace {
TtTensor row_major_column(TtTensor t) {
  if (t.layout != Layout::ROW_MAJOR) t = ops::call1("to_layout", {{"tensor", t}, {"layout", Layout::ROW_MAJOR}});
  return reshape(t, {t.numel(), 1});
}

at::Tensor int64_over_words(const TtTensor& low, const TtTensor& high, c10::IntArrayRef sizes,
                            c10::OptionalIntArrayRef strides) {
  TtTensor pairs = ops::call1("concat", {{"tensors", std::vector<TtTensor>{row_major_column(low), row_major_column(high)}},
                                         {"dim", int64_t{1}}});
  at::Tensor out = at::detail::make_tensor<c10::TensorImpl>(c10::Storage(pairs.storage),
                                                            c10::DispatchKeySet(c10::DispatchKey::PrivateUse1),
                                                            caffe2::TypeMeta::fromScalarType(c10::kLong));
  if (strides) {
    out.unsafeGetTensorImpl()->set_sizes_and_strides(sizes, *strides);
  } else {
    out.unsafeGetTensorImpl()->set_sizes_contiguous(sizes);
  }
  return out;
}
}  // namespace

at::Tensor wrap_int64(const TtTensor& values_in, c10::IntArrayRef sizes, c10::OptionalIntArrayRef strides) {
  TtTensor low = cast(values_in, DataType::INT32);
  TtTensor negative = ops::call1("lt", {{"input_tensor_a", low}, {"input_tensor_b", 0.0}});
  return int64_over_words(low, ops::call1("neg", {{"input_tensor", negative}}), sizes, strides);
}

at::Tensor wrap_int64_words(const TtTensor& low, const TtTensor& high, c10::IntArrayRef sizes) {
  return int64_over_words(cast(low, DataType::INT32), cast(high, DataType::INT32), sizes, std::nullopt);
}

TtTensor index_words(const at::Tensor& indices) {
  if (indices.scalar_type() == c10::kInt) return to_tt(indices);
  if (indices.scalar_type() != c10::kLong) decline("indices that are neither int64 nor int32");
  at::Tensor dense = indices.dim() == 0 ? indices.reshape({1}) : indices;
  if (dense.stride(-1) != 1) dense = dense.contiguous();
  at::Tensor low = dense.view(c10::kInt).unflatten(-1, {dense.size(-1), 2}).select(-1, 0);
  return to_tt(indices.dim() == 0 ? low.reshape({}) : low);
}

namespace {
// The destination's storage takes `result`'s buffer (which nothing else holds): every alias sees the new
// values.
void adopt_buffer(const at::Tensor& dst, const TtTensor& result) {
  c10::DataPtr taken = result.storage.unsafeGetStorageImpl()->set_data_ptr(c10::DataPtr(nullptr, dst.device()));
  dst.storage().unsafeGetStorageImpl()->set_data_ptr_noswap(std::move(taken));
}
}  // namespace

void write_into(const at::Tensor& dst, TtTensor result) {
  if (dst.numel() == 0) return;
  const DataType want = bits_type(dst.scalar_type());
  if (ops::host_type_for(result.dtype) != want) result = cast(result, want);
  const int64_t storage_elements = static_cast<int64_t>(dst.storage().nbytes() / dst.element_size());
  const bool whole = dst.is_contiguous() && dst.storage_offset() == 0 && dst.numel() == storage_elements;
  if (whole && result.storage.use_count() == 1 && !result.storage.is_alias_of(dst.storage())) {
    adopt_buffer(dst, result);
    return;
  }
  // A vocabulary write-back into the storage: slice_write of the result, arranged in memory order.
  auto plan = ops::plan_view(vec(dst.sizes()), vec(dst.strides()), dst.storage_offset(), storage_elements);
  if (!plan || plan->needs_expand()) decline("an out= or in-place destination TT-NN cannot write back to");
  const int64_t rows = plan->dense.front();
  const int64_t row_elements = (plan->end - plan->begin) / std::max<int64_t>(rows, 1);
  if (storage_elements % row_elements != 0) decline("an out= or in-place destination TT-NN cannot write back to");
  TtTensor base = storage_tensor(dst, want, storage_elements);
  // TT-NN's slice_write writes into row-major tensors: a TILE storage is written through a row-major copy,
  // which then replaces it re-tiled in the shape it had (two layout conversions of the whole storage).
  const bool tiled = base.layout != Layout::ROW_MAJOR;
  if (tiled && runtime::is_block_float(base.dtype)) decline("a strided write-back into a block-float storage");
  TtTensor written = tiled ? ops::call1("to_layout", {{"tensor", base}, {"layout", Layout::ROW_MAJOR}}) : base;
  std::vector<int64_t> whole_dense = plan->dense;
  whole_dense.front() = storage_elements / row_elements;
  std::vector<int64_t> start = plan->starts, end = plan->ends;
  start.front() = plan->begin / row_elements;
  end.front() = start.front() + rows;
  // The result, from the view's dim order into memory order, shaped as the dense slice.
  TtTensor values = reshape(result, plan->unexpanded);
  if (plan->needs_permute()) {
    std::vector<int64_t> inverse(plan->permutation.size());
    for (size_t i = 0; i < plan->permutation.size(); ++i) inverse[plan->permutation[i]] = static_cast<int64_t>(i);
    values = reshape(values, [&] {
      std::vector<int64_t> moving;
      for (size_t i = 0; i < plan->permutation.size(); ++i) moving.push_back(plan->compact[plan->permutation[i]]);
      return moving;
    }());
    values = ops::call1("permute", {{"input_tensor", values}, {"dims", inverse}});
  }
  std::vector<int64_t> slice_shape;
  for (size_t i = 0; i < start.size(); ++i) slice_shape.push_back(end[i] - start[i]);
  values = reshape(values, slice_shape);
  TtTensor target = reshape(written, whole_dense);
  ops::call("experimental.slice_write", {{"input_tensor", values}, {"output_tensor", target}, {"start", start},
                                         {"end", end}, {"step", std::vector<int64_t>(start.size(), 1)}});
  if (tiled) {
    TtTensor retiled = ops::call1("to_layout", {{"tensor", reshape(written, base.shape)}, {"layout", Layout::TILE}});
    adopt_buffer(dst, retiled);
  }
}

const at::Tensor& write_out(const at::Tensor& out, TtTensor result, c10::IntArrayRef sizes) {
  if (out.sizes() != sizes) at::native::resize_output(out, sizes);
  write_into(out, std::move(result));
  return out;
}

at::Tensor& copy_out(at::Tensor& out, const at::Tensor& value) {
  at::native::resize_output(out, value.sizes());
  out.copy_(value);
  return out;
}

c10::Device device_of(std::initializer_list<const at::Tensor*> tensors) {
  std::optional<c10::Device> device;
  for (const at::Tensor* t : tensors) {
    if (!t || !t->defined()) continue;
    if (!core::is_ttnn(*t)) {
      if (t->dim() == 0) continue;
      decline("an operand is on " + t->device().str());
    }
    if (!device) device = t->device();
    if (*device != t->device()) decline("operands on two ttnn devices");
  }
  if (!device) decline("no ttnn operand");
  return *device;
}

}  // namespace ttnn_device::aten
