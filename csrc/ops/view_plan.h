// How a strided view of a storage is expressed with TT-NN's data movement ops. Torch-free, so the C++
// unit tests can check it directly.
//
// A view (sizes, strides, offset) over a storage of N elements is, when its dims nest (each stride a
// multiple of the next smaller one, with room for that dim's extent; `dense` ends with the innermost
// stride as a dim of its own only when that stride is above 1):
//   take elements [begin, end) of the flat storage, reshape them to `dense`, slice `starts`..`ends`
//   (step 1), reshape to `compact` (the view's dims in memory order, outermost first), permute by
//   `permutation` into the view's dim order (dims of size > 1 and stride > 0), then reshape to the view's
//   sizes with those broadcast dims as 1 and expand them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace ttnn_device::ops {

struct ViewPlan {
  int64_t begin = 0, end = 0;
  std::vector<int64_t> dense, starts, ends;
  std::vector<int64_t> compact;
  std::vector<int64_t> permutation;  // permute(compact, permutation) gives the moving dims in view order
  std::vector<int64_t> unexpanded;   // view sizes with stride-0 dims as 1
  std::vector<int64_t> sizes;        // the view's sizes
  bool needs_slice() const;          // the dense slice takes less than all of `dense`
  bool needs_permute() const;
  bool needs_expand() const;
};

// The elements a plan takes as one box of its whole storage: the storage seen as `shape`, elements
// [starts, ends) of each dim (step 1).
struct StorageBox {
  std::vector<int64_t> shape, starts, ends;
  bool whole() const;  // the box takes every element
};
// That box drawn in `preferred` (a shape of the storage: the one it is stored in, so no reshape is needed
// before slicing) when the plan's slice can be drawn there, else in the coarsest shape that draws it (each
// fully taken dim merged into the dim outside it). nullopt when the plan's outermost stride does not
// divide the storage (the caller then slices the flat storage).
std::optional<StorageBox> storage_box(const ViewPlan& plan, int64_t storage_elements,
                                      const std::vector<int64_t>& preferred);

// Whether elements [starts, ends) of each dim of a TILE tensor of `shape` (rank >= 2) are whole tiles of it:
// in the last two dims the range starts on a tile boundary and ends on one or at the dim's end, and both the
// dim and the range span more than one row or column. Such a slice moves tiles unchanged.
bool takes_whole_tiles(const std::vector<int64_t>& shape, const std::vector<int64_t>& starts,
                       const std::vector<int64_t>& ends);

// nullopt when the view does not nest (overlapping dims, interleaved strides, a row wrapping around).
std::optional<ViewPlan> plan_view(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides,
                                  int64_t offset, int64_t storage_elements);

}  // namespace ttnn_device::ops
