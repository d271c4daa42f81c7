#include "ops/sim/fidelity.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <bit>

#include "core/derived_cache.h"
#include "ops/sim/host.h"
#include "ops/sim/isa_variants.h"
#include "ops/sim/staging.h"

namespace ttnn_device::ops::sim {

namespace {
void cut_into(at::Tensor& out, const at::Tensor& x, uint32_t mask) {
  at::Tensor out_words = out.view(c10::kInt);
  at::bitwise_and_out(out_words, x.view(c10::kInt), static_cast<int32_t>(mask));
}
}  // namespace

namespace {
// An uninitialised tensor like x: staging memory where x is dense, else fresh memory of x's layout.
at::Tensor staging_or_empty_like(const at::Tensor& x) {
  return x.is_non_overlapping_and_dense() ? staging_empty_like(x) : at::empty_like(x);
}
}  // namespace

at::Tensor cut_bits(const at::Tensor& x, uint32_t mask) {
  at::Tensor out = staging_or_empty_like(x);
  cut_into(out, x, mask);
  return out;
}

namespace {

// One tile row band of a TILE FLOAT32 tensor (tiles [band * tiles_wide, +tiles_wide) of one slice) into
// row-major rows, every element passed through `each` (a mask or a scale). Face f of a tile holds rows
// (f / 2) * 16 .. +16 and columns (f % 2) * 16 .. +16 of the tile, row by row.
template <class Each>
[[gnu::always_inline]] inline void untilize_band(const uint32_t* tiles, uint32_t* rows, int64_t band_rows,
                                                 int64_t width, int64_t tiles_wide, Each each) {
  for (int64_t tx = 0; tx < tiles_wide; ++tx) {
    const uint32_t* tile = tiles + tx * 1024;
    for (int64_t f = 0; f < 4; ++f) {
      const int64_t col = tx * 32 + (f % 2) * 16;
      const int64_t cols = std::min<int64_t>(16, width - col);
      for (int64_t r = 0; r < 16; ++r) {
        const int64_t row = (f / 2) * 16 + r;
        if (row >= band_rows || cols <= 0) continue;
        const uint32_t* src = tile + f * 256 + r * 16;
        uint32_t* dst = rows + row * width + col;
        for (int64_t c = 0; c < cols; ++c) dst[c] = each(src[c]);
      }
    }
  }
}

struct CutBits {
  uint32_t mask;
  [[gnu::always_inline]] uint32_t operator()(uint32_t bits) const { return bits & mask; }
};

struct Scaled {
  float factor;
  [[gnu::always_inline]] uint32_t operator()(uint32_t bits) const {
    return std::bit_cast<uint32_t>(std::bit_cast<float>(bits) * factor);
  }
};

template <class Each>
struct BandKernel {
  [[gnu::always_inline]] static void run(const uint32_t* tiles, uint32_t* rows, int64_t band_rows, int64_t width,
                                         int64_t tiles_wide, Each each) {
    untilize_band(tiles, rows, band_rows, width, tiles_wide, each);
  }
};

// An activation's values as float32 in staging memory, each element passed through `each` as it is
// untilized (one pass over a TILE FLOAT32 tensor's tiles); `otherwise(values)` serves other formats.
template <class Each, class Otherwise>
at::Tensor read_untilized(const TtTensor& activation, Each each, Otherwise&& otherwise) {
  core::DeviceBuffer* buffer = activation.buffer();
  const bool tiles = activation.layout == Layout::TILE && activation.dtype == DataType::FLOAT32 &&
                     activation.host_type == DataType::FLOAT32 && buffer && buffer->host_bytes() &&
                     buffer->arranged_as(activation.shape, Layout::TILE, DataType::FLOAT32);
  if (!tiles) {
    const at::Tensor values = read(activation);
    return otherwise(values.scalar_type() == c10::kFloat ? values : values.to(c10::kFloat));
  }
  const Shape& shape = activation.shape;
  const int64_t rank = activation.rank();
  const int64_t height = rank >= 2 ? shape[rank - 2] : 1, width = rank >= 1 ? shape[rank - 1] : 1;
  const int64_t slices = activation.numel() / std::max<int64_t>(height * width, 1);
  const int64_t tiles_high = (height + 31) / 32, tiles_wide = (width + 31) / 32;
  at::Tensor out = staging_empty(shape, c10::kFloat);
  const auto* src = static_cast<const uint32_t*>(buffer->host_bytes());
  auto* dst = static_cast<uint32_t*>(out.data_ptr());
  static const auto band = widest<BandKernel<Each>, const uint32_t*, uint32_t*, int64_t, int64_t, int64_t, Each>();
  const int64_t bands = slices * tiles_high;
  auto run = [&](int64_t first, int64_t last) {
    for (int64_t b = first; b < last; ++b) {
      const int64_t s = b / tiles_high, ty = b % tiles_high;
      const int64_t rows = std::min<int64_t>(32, height - ty * 32);
      band(src + b * tiles_wide * 1024, dst + (s * height + ty * 32) * width, rows, width, tiles_wide, each);
    }
  };
  // About 64 tiles per task: smaller activations are not worth waking a thread for.
  const int64_t grain = std::max<int64_t>(1, 64 / tiles_wide);
  if (bands <= grain) {
    run(0, bands);
  } else {
    at::parallel_for(0, bands, grain, run);
  }
  return out;
}

}  // namespace

at::Tensor read_cut(const TtTensor& activation, uint32_t mask) {
  return read_untilized(activation, CutBits{mask}, [&](const at::Tensor& values) { return cut_bits(values, mask); });
}

at::Tensor read_scaled(const TtTensor& activation, float factor) {
  return read_untilized(activation, Scaled{factor}, [&](const at::Tensor& values) {
    at::Tensor out = staging_or_empty_like(values);
    return at::mul_out(out, values, at::scalar_tensor(factor));
  });
}

at::Tensor weight_values(const TtTensor& weight, uint32_t mask, c10::MemoryFormat format) {
  core::DeviceBuffer* buffer = weight.buffer();
  const bool plain_float = weight.host_type == DataType::FLOAT32;
  const bool contiguous = format == c10::MemoryFormat::Contiguous;
  if (!buffer || (mask == kAllBits && plain_float && contiguous && buffer->holds_logical_bytes())) {
    return read(weight).to(c10::kFloat);  // device memory as is: nothing to derive
  }
  auto derive = [&](bool kept) {
    // Read once (an activation used as in1, e.g. attention's k and v): untilized and cut in one pass.
    if (!kept && plain_float && contiguous) return read_cut(weight, mask);
    at::Tensor values = read(weight);
    if (!plain_float) {
      at::Tensor wide = values.to(c10::kFloat, /*non_blocking=*/false, /*copy=*/true, format);  // its own memory
      if (mask != kAllBits) cut_into(wide, wide, mask);
      return wide;
    }
    // A kept copy is the cache's own memory: never staging (reused by the next op) nor device memory.
    at::Tensor out = at::empty(values.sizes(), values.options().memory_format(format));
    if (mask == kAllBits) return out.copy_(values);
    cut_into(out, values, mask);
    return out;
  };
  static core::DerivedCache<at::Tensor> cache(core::DerivedCache<at::Tensor>::Keep::kSecondRequest);
  const uint64_t tag = (static_cast<uint64_t>(format) << 32) | mask;
  return cache.get(weight.storage, *buffer, tag, weight.shape, derive);
}

}  // namespace ttnn_device::ops::sim
