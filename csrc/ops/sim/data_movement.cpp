// The reference device's data movement and creation ops. Values move unchanged (typecast converts as
// TT-NN's typecast does: float -> integer truncates toward zero); outputs are new buffers, except the
// free reshape of a ROW_MAJOR tensor (and of a TILE tensor whose last two dims stay), which TT-NN does
// as a view too.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/core/WrapDimMinimal.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "core/device_buffer.h"
#include "ops/dispatch.h"
#include "ops/reshape_rule.h"
#include "ops/view_plan.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

c10::Device device_arg(const Args& args) {
  return c10::Device(c10::DeviceType::PrivateUse1, static_cast<c10::DeviceIndex>(args.integer("device", 0)));
}

// Same last two dims (a rank below 2 counts as [1, ...], as TILE stores it): the same tiles in the same order.
bool same_tiles(const Shape& a, const Shape& b) {
  auto dim = [](const Shape& s, size_t from_end) { return s.size() >= from_end ? s[s.size() - from_end] : 1; };
  return !a.empty() && !b.empty() && dim(a, 1) == dim(b, 1) && dim(a, 2) == dim(b, 2);
}

std::vector<TtTensor> reshape_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  const std::vector<int64_t> shape = resolve_reshape(args.ints("shape"), x.numel());
  if (x.layout == Layout::ROW_MAJOR || shape == x.shape || same_tiles(shape, x.shape)) {
    TtTensor view = x;
    view.shape = shape;
    return {view};
  }
  return {store(read(x).reshape(shape), x.device(), x.layout, x.dtype)};
}

std::vector<TtTensor> permute_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  return {store(read(x).permute(args.ints("dims")), x.device(), x.layout, x.dtype)};
}

// A tile view (tile_view) as [outer..., tile row, tile col, 1024]: each tile is a run of 1024 elements,
// copied whole (the 16-element face rows of the tile view would make a copy crawl).
at::Tensor whole_tiles(const at::Tensor& t) {
  const int64_t outer = t.dim() - 6;
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().begin() + outer);
  std::vector<int64_t> strides(t.strides().begin(), t.strides().begin() + outer);
  sizes.insert(sizes.end(), {t.size(outer), t.size(outer + 3), 1024});
  strides.insert(strides.end(), {t.stride(outer), t.stride(outer + 3), 1});
  return t.as_strided(sizes, strides);
}

// A TILE tensor of `shape` and x's data type whose whole tiles are `arrange(whole_tiles(x's tile view))` (a
// view of x's tiles in the output's tile order), copied tile by tile as the card's data movement moves them:
// no untilize and re-tilize, and every bit kept (no tt numerics flush: nothing computes). nullopt where x or
// the output is not held as plain tiles.
template <class Arrange>
std::optional<TtTensor> moved_tiles(const TtTensor& x, const Shape& shape, Arrange&& arrange) {
  if (x.layout != Layout::TILE) return std::nullopt;
  auto tiles = tile_view(x);
  if (!tiles) return std::nullopt;
  Output out(x.device(), shape, Layout::TILE, x.dtype, /*in_tiles=*/true);
  if (!out.in_tiles()) return std::nullopt;
  const at::Tensor source = arrange(whole_tiles(*tiles));
  whole_tiles(out.tiles()).view(source.sizes()).copy_(source);
  return out.finish_moved();
}

// A slice of a TILE tensor on tile boundaries (step 1; in its last two dims, starting on a tile and ending
// on one or at the dim's end) takes the input's tiles whole, as the card's slice moves them: a copy of
// those tiles, no untilize and re-tilize. Empty where that does not apply.
std::optional<TtTensor> slice_tiles(const TtTensor& x, const std::vector<int64_t>& starts,
                                    const std::vector<int64_t>& ends, const std::vector<int64_t>& steps) {
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  if (x.layout != Layout::TILE || !takes_whole_tiles(x.shape, starts, ends)) return std::nullopt;
  Shape shape(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (steps[d] != 1 || starts[d] < 0 || ends[d] > x.shape[d] || starts[d] >= ends[d]) return std::nullopt;
    shape[d] = ends[d] - starts[d];
  }
  return moved_tiles(x, shape, [&](at::Tensor v) {
    for (int64_t d = 0; d < rank - 2; ++d) v = v.slice(d, starts[d], ends[d]);
    for (int64_t i = 0; i < 2; ++i) {
      const int64_t d = rank - 2 + i;
      v = v.slice(d, starts[d] / 32, (ends[d] + 31) / 32);
    }
    return v;
  });
}

std::vector<TtTensor> slice_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  const auto starts = args.ints("starts"), ends = args.ints("ends");
  const auto steps = args.ints("steps", std::vector<int64_t>(starts.size(), 1));
  if (auto tiles = slice_tiles(x, starts, ends, steps)) return {std::move(*tiles)};
  at::Tensor v = read(x);
  for (int64_t d = 0; d < static_cast<int64_t>(starts.size()); ++d) v = v.slice(d, starts[d], ends[d], steps[d]);
  return {store(v, x.device(), x.layout, x.dtype)};
}

// TT-NN's concatenate_heads: [B, H, S, D] -> [B, S, H * D], heads side by side again. With D a multiple of
// 32 every output tile is one input tile (tile column c of head h lands in column h * D / 32 + c of the
// same tile row), so plain formats move whole tiles, as the card's op does; block floats go through their
// values.
std::vector<TtTensor> concatenate_heads_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  TORCH_CHECK(x.shape.size() == 4, "concatenate_heads takes a [batch, heads, sequence, head size] tensor, got ",
              describe(x));
  const int64_t batch = x.shape[0], heads = x.shape[1], rows = x.shape[2], width = x.shape[3];
  TORCH_CHECK(width % 32 == 0, "concatenate_heads: the head size must be a multiple of 32, got ", width);
  const Shape shape{batch, rows, heads * width};
  // [B, H, tile row, tile col, 1024] -> [B, tile row, H, tile col, 1024]
  auto moved = moved_tiles(x, shape, [](const at::Tensor& tiles) { return tiles.permute({0, 2, 1, 3, 4}); });
  if (moved) return {std::move(*moved)};
  return {store(read(x).permute({0, 2, 1, 3}).reshape(shape), x.device(), Layout::TILE, x.dtype)};
}

// TT-NN's split_query_key_value_and_split_heads: rows [B, S, (H + 2 Hkv) D] of a fused projection (or q's
// [B, S, H D] and a kv_input_tensor [B, S, 2 Hkv D]) into q [B, H, S, D], k and v [B, Hkv, S, D], k as
// [B, Hkv, D, S] with transpose_key. With D a multiple of 32 each head's tiles are whole input tiles, so
// plain formats move tiles (k transposed goes through its values, as block floats do).
std::vector<TtTensor> split_heads_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  const std::optional<TtTensor> kv = args.optional_tensor("kv_input_tensor");
  const int64_t heads = args.integer("num_heads");
  const int64_t kv_heads = args.integer("num_kv_heads", heads);
  const bool transpose_key = args.flag("transpose_key", true);
  auto check_rows = [&](const TtTensor& t) {
    TORCH_CHECK(t.shape.size() == 3, "split_query_key_value_and_split_heads takes [batch, sequence, hidden] rows, got ",
                describe(t));
  };
  check_rows(x);
  if (kv) {
    check_rows(*kv);
    TORCH_CHECK(kv->shape[0] == x.shape[0] && kv->shape[1] == x.shape[1] && kv->dtype == x.dtype,
                "split_query_key_value_and_split_heads: kv_input_tensor ", describe(*kv), " does not match ", describe(x));
  }
  const int64_t batch = x.shape[0], rows = x.shape[1];
  const int64_t hidden = x.shape[2] + (kv ? kv->shape[2] : 0);
  TORCH_CHECK(heads > 0 && kv_heads > 0 && hidden % (heads + 2 * kv_heads) == 0,
              "split_query_key_value_and_split_heads: hidden size ", hidden, " is not (num_heads + 2 * num_kv_heads) heads");
  const int64_t width = hidden / (heads + 2 * kv_heads);
  TORCH_CHECK(width % 32 == 0, "split_query_key_value_and_split_heads: the head size must be a multiple of 32, got ", width);
  TORCH_CHECK(!kv || x.shape[2] == heads * width, "split_query_key_value_and_split_heads: with kv_input_tensor the input ",
              "holds the query only (", heads, " heads of ", width, "), got ", describe(x));
  // (source, first head column, heads) of q, k and v.
  struct Part {
    const TtTensor* from;
    int64_t first, count;
  };
  const Part parts[3] = {{&x, 0, heads},
                         {kv ? &*kv : &x, kv ? 0 : heads, kv_heads},
                         {kv ? &*kv : &x, kv ? kv_heads : heads + kv_heads, kv_heads}};
  std::vector<TtTensor> outputs;
  for (int i = 0; i < 3; ++i) {
    const Part& part = parts[i];
    const bool transposed = i == 1 && transpose_key;
    if (!transposed) {
      // [B, tile row, tile col, 1024], the part's heads' columns -> [B, head, tile row, tile col of the head, 1024]
      const int64_t per_head = width / 32;
      auto moved = moved_tiles(*part.from, {batch, part.count, rows, width}, [&](const at::Tensor& tiles) {
        return tiles.narrow(2, part.first * per_head, part.count * per_head)
            .unflatten(2, {part.count, per_head})
            .permute({0, 2, 1, 3, 4});
      });
      if (moved) {
        outputs.push_back(std::move(*moved));
        continue;
      }
    }
    at::Tensor values = read(*part.from).narrow(2, part.first * width, part.count * width);
    at::Tensor split = values.unflatten(2, {part.count, width}).permute({0, 2, 1, 3});
    outputs.push_back(store(transposed ? split.transpose(-1, -2) : split, x.device(), Layout::TILE, x.dtype));
  }
  return outputs;
}

// Writes input_tensor into output_tensor[start:end:step] (per dim), in place, and returns output_tensor.
std::vector<TtTensor> slice_write_impl(const Args& args) {
  const TtTensor& src = args.tensor("input_tensor");
  const TtTensor& dst = args.tensor("output_tensor");
  const auto start = args.ints("start"), end = args.ints("end");
  const auto step = args.ints("step", std::vector<int64_t>(start.size(), 1));
  core::DeviceBuffer* buffer = dst.buffer();
  if (!buffer || src.numel() == 0) return {dst};
  const bool direct = buffer->holds_logical_bytes() && buffer->host_bytes();
  at::Tensor whole = direct ? read(dst) : read(dst).clone();
  at::Tensor region = whole;
  for (int64_t d = 0; d < static_cast<int64_t>(start.size()); ++d) region = region.slice(d, start[d], end[d], step[d]);
  region.copy_(read(src));
  if (direct) {
    buffer->contents_changed();
  } else {
    at::Tensor dense = whole.contiguous();
    buffer->write(0, dense.nbytes(), dense.data_ptr());
  }
  return {dst};
}

// Whether `t`'s buffer holds its elements as a new tensor of its shape in its format would, pages (tiles,
// or ROW_MAJOR rows) in order, in this process's memory.
bool stored_as_shaped(const TtTensor& t) {
  const core::DeviceBuffer* buffer = t.buffer();
  if (!buffer || !buffer->host_bytes()) return false;
  return buffer->inspect([&](const runtime::TensorDesc& d) {
    return d.layout == t.layout && d.data_type == t.dtype && d.host_type == t.host_type && d.numel() == t.numel() &&
           (t.layout == Layout::ROW_MAJOR || same_tiles(d.shape, t.shape));
  });
}

// concat as the card's concat moves data: stored pages copied, nothing decoded or encoded. Each input then
// splits into `outer` runs of bytes, the output being each run index's runs back to back: runs of
// everything from `dim` on when `dim` lies above the tiled dims (any dim of a ROW_MAJOR tensor); of whole
// tile rows or tile columns when `dim` is a tiled dim that every input but the last fills with whole
// tiles (the last one's padding is the output's). Empty where that does not hold: mixed formats, empty
// inputs, partial tiles inside the output.
std::optional<TtTensor> concat_stored(const std::vector<TtTensor>& tensors, int64_t dim) {
  const TtTensor& first = tensors.front();
  const int64_t rank = first.rank();
  if (rank == 0 || (first.layout == Layout::TILE && rank < 2)) return std::nullopt;
  dim = c10::maybe_wrap_dim(dim, rank);
  const bool tiled_dim = first.layout == Layout::TILE && dim >= rank - 2;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TtTensor& t = tensors[i];
    if (t.layout != first.layout || t.dtype != first.dtype || t.host_type != first.host_type || t.rank() != rank ||
        t.numel() == 0 || !stored_as_shaped(t)) {
      return std::nullopt;
    }
    if (tiled_dim && i + 1 < tensors.size() && t.shape[dim] % 32 != 0) return std::nullopt;
  }
  Shape shape = first.shape;
  shape[dim] = 0;
  for (const TtTensor& t : tensors) shape[dim] += t.shape[dim];
  auto tiles = [](int64_t n) { return (n + 31) / 32; };
  auto product = [](const Shape& s, int64_t from, int64_t to) {
    return c10::multiply_integers(s.begin() + from, s.begin() + to);
  };
  const runtime::TensorDesc out_desc = desc_for(shape, first.layout, first.dtype, first.host_type);
  const int64_t page = static_cast<int64_t>(out_desc.page_bytes());
  const bool rows = first.layout == Layout::ROW_MAJOR;
  // Runs per input (the same for every input: the dims before `dim` agree), then the bytes of one run.
  const int64_t outer = rows || dim < rank - 2 ? product(shape, 0, dim)
                        : dim == rank - 2     ? product(shape, 0, rank - 2)
                                              : product(shape, 0, rank - 2) * tiles(shape[rank - 2]);
  auto run_bytes = [&](const Shape& s) -> int64_t {
    if (rows) return product(s, dim, rank) * (page / shape[rank - 1]);  // the output's page: a row of its width
    const int64_t plane = tiles(s[rank - 2]) * tiles(s[rank - 1]) * page;
    if (dim < rank - 2) return product(s, dim, rank - 2) * plane;
    return dim == rank - 2 ? plane : tiles(s[rank - 1]) * page;
  };
  std::vector<int64_t> runs;
  int64_t out_run = 0;
  for (const TtTensor& t : tensors) out_run += runs.emplace_back(run_bytes(t.shape));
  TORCH_INTERNAL_ASSERT(static_cast<size_t>(outer * out_run) == out_desc.physical_bytes(), "concat: run sizes");
  TtTensor out = allocate(first.device(), shape, first.layout, first.dtype, first.host_type);
  core::DeviceBuffer* out_buffer = out.buffer();
  if (!out_buffer || !out_buffer->host_bytes()) return std::nullopt;
  auto* dst = static_cast<uint8_t*>(out_buffer->host_bytes());
  std::vector<const uint8_t*> srcs;
  for (const TtTensor& t : tensors) srcs.push_back(static_cast<const uint8_t*>(t.buffer()->host_bytes()));
  auto copy = [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      uint8_t* to = dst + o * out_run;
      for (size_t i = 0; i < srcs.size(); ++i) {
        std::memcpy(to, srcs[i] + o * runs[i], runs[i]);
        to += runs[i];
      }
    }
  };
  // About 1 MiB per task: smaller copies are not worth waking a thread for.
  at::parallel_for(0, outer, std::max<int64_t>(1, (int64_t{1} << 20) / std::max<int64_t>(out_run, 1)), copy);
  out_buffer->contents_changed();
  return out;
}

std::vector<TtTensor> concat_impl(const Args& args) {
  const auto& tensors = args.tensors("tensors");
  TORCH_CHECK(!tensors.empty(), "concat of no tensors");
  if (auto stored = concat_stored(tensors, args.integer("dim"))) return {*stored};
  std::vector<at::Tensor> values;
  for (const auto& t : tensors) values.push_back(read(t));
  const TtTensor& first = tensors.front();
  return {store(at::cat(values, args.integer("dim")), first.device(), first.layout, first.dtype)};
}

std::vector<TtTensor> typecast_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  return {store(read(x), x.device(), x.layout, *args.data_type("dtype"))};
}

std::vector<TtTensor> to_layout_impl(const Args& args) {
  const TtTensor& x = args.tensor("tensor");
  const Layout layout = *args.layout("layout");
  return {store(read(x), x.device(), layout, args.data_type("dtype").value_or(x.dtype))};
}

std::vector<TtTensor> expand_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  return {store(read(x).expand(args.ints("output_shape")), x.device(), x.layout, x.dtype)};
}

std::vector<TtTensor> repeat_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  return {store(read(x).repeat(args.ints("repeat_dims")), x.device(), x.layout, x.dtype)};
}

// padding: (before, after) per dim, flattened, first dim first.
std::vector<TtTensor> pad_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  const auto padding = args.ints("padding");
  std::vector<int64_t> torch_pad;  // last dim first, as at::constant_pad_nd takes it
  for (int64_t d = static_cast<int64_t>(padding.size()) / 2 - 1; d >= 0; --d) {
    torch_pad.push_back(padding[2 * d]);
    torch_pad.push_back(padding[2 * d + 1]);
  }
  return {store(at::constant_pad_nd(read(x), torch_pad, args.number("value", 0.0)), x.device(), x.layout, x.dtype)};
}

std::vector<TtTensor> clone_impl(const Args& args) {
  const TtTensor& x = args.tensor("input");
  return {store(read(x), x.device(), x.layout, output_dtype(args, x.dtype))};
}

template <bool kUpper>
std::vector<TtTensor> triangle_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  const int64_t diagonal = args.integer("diagonal", 0);
  at::Tensor v = read(x);
  return {store(kUpper ? at::triu(v, diagonal) : at::tril(v, diagonal), x.device(), x.layout, x.dtype)};
}

// The rows `indices` picks from a table stored in a converted format (TILE, block floats), each read
// alone: only the tiles a row crosses are decoded, not the whole table (a vocabulary's embeddings, often
// TILE because the output projection shares them).
at::Tensor rows_of(const TtTensor& table, const at::Tensor& indices) {
  const int64_t rows = table.shape.front(), width = table.numel() / std::max<int64_t>(rows, 1);
  const at::Tensor flat = indices.reshape({-1}).contiguous();
  std::vector<int64_t> sizes(flat.sizes().begin(), flat.sizes().end());
  sizes.push_back(width);
  at::Tensor out = at::empty(sizes, at::TensorOptions().dtype(compute_type(table.host_type)));
  const uint64_t row_bytes = static_cast<uint64_t>(width) * out.element_size();
  const int64_t* index = flat.data_ptr<int64_t>();
  auto* dst = static_cast<uint8_t*>(out.data_ptr());
  for (int64_t i = 0; i < flat.numel(); ++i) {
    TORCH_CHECK_INDEX(index[i] >= 0 && index[i] < rows, "index out of range in self");
    table.buffer()->read(static_cast<uint64_t>(index[i]) * row_bytes, row_bytes, dst + i * row_bytes);
  }
  std::vector<int64_t> shape(indices.sizes().begin(), indices.sizes().end());
  shape.push_back(width);
  return out.view(shape);
}

std::vector<TtTensor> embedding_impl(const Args& args) {
  const TtTensor& idx = args.tensor("input_tensor");
  const TtTensor& weight = args.tensor("weight");
  const at::Tensor indices = read(idx).to(c10::kLong);
  core::DeviceBuffer* buffer = weight.buffer();
  const bool converted = buffer && !buffer->holds_logical_bytes() && weight.rank() == 2;
  at::Tensor result = converted ? rows_of(weight, indices) : at::embedding(read(weight), indices);
  return {store(result, weight.device(), Layout::ROW_MAJOR, output_dtype(args, weight.dtype))};
}

std::vector<TtTensor> gather_impl(const Args& args) {
  const TtTensor& x = args.tensor("input");
  at::Tensor result = at::gather(read(x), args.integer("dim"), read(args.tensor("index")).to(c10::kLong));
  return {store(result, x.device(), x.layout, x.dtype)};
}

// scatter writes src's values, scatter_add sums them in fp32 (integers in their own type); the result is
// stored once in the input's data type.
template <bool kAdd>
std::vector<TtTensor> scatter_impl(const Args& args) {
  const TtTensor& x = args.tensor("input");
  const c10::ScalarType math = at::isFloatingType(compute_type(x.host_type)) ? c10::kFloat : compute_type(x.host_type);
  const at::Tensor input = read(x).to(math), index = read(args.tensor("index")).to(c10::kLong);
  const at::Tensor src = read(args.tensor("src")).to(math);
  const int64_t dim = args.integer("dim");
  at::Tensor result = kAdd ? at::scatter_add(input, dim, index, src) : at::scatter(input, dim, index, src);
  return {store(result, x.device(), x.layout, x.dtype)};
}

std::vector<TtTensor> full_impl(const Args& args) {
  const DataType dtype = *args.data_type("dtype");
  const auto shape = args.ints("shape");
  const auto options = at::TensorOptions().dtype(compute_type(host_type_for(dtype)));
  at::Tensor values = at::full(shape, args.number("fill_value"), options.dtype(c10::kDouble)).to(options.dtype());
  return {store(values, device_arg(args), args.layout("layout").value_or(Layout::ROW_MAJOR), dtype)};
}

// Random values from a CPU generator seeded by the call's seed: reproducible per seed, as TT-NN's are.
template <bool kNormal>
std::vector<TtTensor> random_impl(const Args& args) {
  const DataType dtype = *args.data_type("dtype");
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(args.integer("seed", 0)));
  const auto options = at::TensorOptions().dtype(c10::kFloat);
  at::Tensor values = kNormal ? at::randn(args.ints("shape"), generator, options)
                              : at::empty(args.ints("shape"), options).uniform_(args.number("low", 0.0), args.number("high", 1.0), generator);
  return {store(values, device_arg(args), args.layout("layout").value_or(Layout::ROW_MAJOR), dtype)};
}

std::vector<TtTensor> arange_impl(const Args& args) {
  const DataType dtype = *args.data_type("dtype");
  at::Tensor values = at::arange(args.number("start"), args.number("end"), args.number("step", 1.0),
                                 at::TensorOptions().dtype(c10::kDouble));
  return {store(values, device_arg(args), Layout::ROW_MAJOR, dtype)};
}

const bool registered = [] {
  register_impls("sim", {
      {"reshape", reshape_impl}, {"permute", permute_impl}, {"slice", slice_impl},
      {"experimental.slice_write", slice_write_impl}, {"concat", concat_impl}, {"typecast", typecast_impl},
      {"to_layout", to_layout_impl}, {"expand", expand_impl}, {"repeat", repeat_impl}, {"pad", pad_impl},
      {"clone", clone_impl}, {"tril", triangle_impl<false>}, {"triu", triangle_impl<true>},
      {"transformer.concatenate_heads", concatenate_heads_impl},
      {"transformer.split_query_key_value_and_split_heads", split_heads_impl},
      {"embedding", embedding_impl}, {"gather", gather_impl},
      {"scatter", scatter_impl<false>}, {"scatter_add", scatter_impl<true>}, {"full", full_impl}, {"arange", arange_impl},
      {"rand", random_impl<false>}, {"randn", random_impl<true>},
  });
  return true;
}();

}  // namespace
}  // namespace ttnn_device::ops::sim
