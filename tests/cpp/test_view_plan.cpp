// The view-to-TT-tensor translation (ops/view_plan): each plan is replayed on a numbered storage with
// plain loops (take [begin, end), reshape to dense, slice, permute, expand) and must give exactly the
// elements torch's strided indexing gives, computed independently from sizes, strides and offset.
#include <numeric>
#include <vector>

#include "check.h"
#include "ops/view_plan.h"

using ttnn_device::ops::plan_view;
using Vec = std::vector<int64_t>;

namespace {

// Elements of a strided view of storage [0, 1, 2, ...], in the view's row-major order.
Vec strided(const Vec& sizes, const Vec& strides, int64_t offset) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  Vec out;
  for (int64_t i = 0; i < n; ++i) {
    int64_t rest = i, at = offset;
    for (size_t d = sizes.size(); d-- > 0;) {
      at += (rest % sizes[d]) * strides[d];
      rest /= sizes[d];
    }
    out.push_back(at);
  }
  return out;
}

Vec row_major_strides(const Vec& shape) {
  Vec strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

// Replays a plan with loops over index tuples.
Vec replay(const ttnn_device::ops::ViewPlan& p) {
  // Dense slice: element (i_0..i_k) of the sliced tensor is begin + sum((starts+i) * dense stride).
  const Vec dense_strides = row_major_strides(p.dense);
  Vec sliced_sizes;
  for (size_t d = 0; d < p.dense.size(); ++d) sliced_sizes.push_back(p.ends[d] - p.starts[d]);
  int64_t base = p.begin;
  for (size_t d = 0; d < p.dense.size(); ++d) base += p.starts[d] * dense_strides[d];
  Vec sliced = strided(sliced_sizes, dense_strides, base);  // row-major over sliced_sizes == compact
  // permute(compact, permutation): output dim j is compact dim permutation[j].
  const Vec compact_strides = row_major_strides(p.compact);
  Vec permuted_sizes, permuted_strides;
  for (int64_t c : p.permutation) {
    permuted_sizes.push_back(p.compact[c]);
    permuted_strides.push_back(compact_strides[c]);
  }
  Vec order = strided(permuted_sizes, permuted_strides, 0);
  Vec moving;
  for (int64_t i : order) moving.push_back(sliced[i]);
  if (p.compact.empty()) moving = {sliced[0]};
  // reshape to `unexpanded`, then expand to `sizes`.
  const Vec un_strides = row_major_strides(p.unexpanded);
  Vec expand_strides;
  for (size_t d = 0; d < p.sizes.size(); ++d) expand_strides.push_back(p.unexpanded[d] == p.sizes[d] ? un_strides[d] : 0);
  Vec idx = strided(p.sizes, expand_strides, 0);
  Vec out;
  for (int64_t i : idx) out.push_back(moving[i]);
  return out;
}

void expect_plan(const Vec& sizes, const Vec& strides, int64_t offset, int64_t storage) {
  auto plan = plan_view(sizes, strides, offset, storage);
  CHECK(plan.has_value());
  if (plan) CHECK_EQ(replay(*plan), strided(sizes, strides, offset));
}

}  // namespace

TEST(contiguous_whole_and_offset_rows) {
  expect_plan({4, 6}, {6, 1}, 0, 24);
  expect_plan({3, 6}, {6, 1}, 6, 24);
}

TEST(slices_with_steps_and_columns) {
  expect_plan({3, 3}, {6, 2}, 6, 24);  // x[1:, ::2] of [4, 6]
  expect_plan({4, 3}, {6, 1}, 3, 24);  // x[:, 3:]
  expect_plan({2, 2, 2}, {24, 6, 2}, 7, 48);
}

TEST(transposes_and_permutations) {
  expect_plan({6, 4}, {1, 6}, 0, 24);                   // x.t()
  expect_plan({2, 4, 3, 5}, {60, 1, 20, 4}, 0, 120);    // NHWC storage seen as NCHW (channels-last)
  expect_plan({3, 2}, {1, 6}, 2, 12);                   // a column block of a transposed view
}

TEST(broadcast_and_size_one_dims) {
  expect_plan({3, 1, 4}, {0, 7, 1}, 0, 4);  // expand of a row
  expect_plan({1, 1}, {9, 9}, 5, 6);        // one element
  expect_plan({2, 3}, {0, 0}, 2, 3);        // one element broadcast
}

TEST(dims_split_after_a_slice_nest_as_the_dim_they_form) {
  // tokens[:, 1:] of [2, 197, 192], its 196 rows split into 14 x 14 and moved to channels-first (the
  // gradient of a vision transformer's patch embedding): 2688 = 14 * 192 does not divide 37824.
  expect_plan({2, 192, 14, 14}, {37824, 1, 2688, 192}, 192, 2 * 197 * 192);
  expect_plan({2, 3, 2}, {10, 2, 1}, 3, 20);  // x[:, 3:9] of [2, 10] split into [3, 2]
}

TEST(views_that_do_not_nest_are_refused) {
  CHECK(!plan_view({3, 3}, {1, 1}, 0, 9).has_value());   // overlapping
  CHECK(!plan_view({2, 3}, {4, 3}, 0, 12).has_value());  // stride 4 is no multiple of stride 3
  CHECK(!plan_view({2, 5}, {4, 1}, 0, 12).has_value());  // a row of 5 in rows of 4 wraps
}

namespace {

// The storage elements a box takes, in row-major order over the box.
Vec box_elements(const ttnn_device::ops::StorageBox& box) {
  Vec sizes;
  int64_t base = 0;
  const Vec strides = row_major_strides(box.shape);
  for (size_t d = 0; d < box.shape.size(); ++d) {
    sizes.push_back(box.ends[d] - box.starts[d]);
    base += box.starts[d] * strides[d];
  }
  return strided(sizes, strides, base);
}

// The storage elements a plan's dense slice takes (before the permute), in order.
Vec dense_elements(const ttnn_device::ops::ViewPlan& p) {
  Vec sliced_sizes;
  const Vec dense_strides = row_major_strides(p.dense);
  int64_t base = p.begin;
  for (size_t d = 0; d < p.dense.size(); ++d) {
    sliced_sizes.push_back(p.ends[d] - p.starts[d]);
    base += p.starts[d] * dense_strides[d];
  }
  return strided(sliced_sizes, dense_strides, base);
}

// The box of the view's plan takes the plan's elements; drawn in `preferred` when `in_preferred`.
void expect_box(const Vec& sizes, const Vec& strides, int64_t offset, int64_t storage, const Vec& preferred,
                bool in_preferred) {
  auto plan = plan_view(sizes, strides, offset, storage);
  CHECK(plan.has_value());
  if (!plan) return;
  auto box = ttnn_device::ops::storage_box(*plan, storage, preferred);
  CHECK(box.has_value());
  if (!box) return;
  CHECK_EQ(box_elements(*box), dense_elements(*plan));
  CHECK_EQ(box->shape == preferred, in_preferred);
}

}  // namespace

TEST(dense_never_ends_in_a_unit_dim_for_unit_strides) {
  auto plan = plan_view({4, 3}, {6, 1}, 3, 24);  // x[:, 3:]
  CHECK(plan.has_value());
  if (plan) CHECK_EQ(plan->dense, (Vec{4, 6}));
  auto stepped = plan_view({3, 3}, {6, 2}, 6, 24);  // x[1:, ::2] keeps its step as a dim
  CHECK(stepped.has_value());
  if (stepped) CHECK_EQ(stepped->dense, (Vec{3, 3, 2}));
}

TEST(slices_are_drawn_in_the_stored_shape) {
  // The first 32 channels of a channels-last [2, 64, 55, 55] stored as [1, 1, 6050, 64].
  expect_box({2, 32, 55, 55}, {55 * 55 * 64, 1, 55 * 64, 64}, 0, 6050 * 64, {1, 1, 6050, 64}, true);
  // The middle third of a [197, 2304] projection seen as [197, 12, 64] (attention's k).
  expect_box({197, 12, 64}, {2304, 64, 1}, 768, 197 * 2304, {197, 2304}, true);
  // The second half of [1, 232, 14, 14] channels whose storage holds [116, 2, 14, 14].
  expect_box({1, 116, 14, 14}, {45472, 196, 14, 1}, 22736, 45472, {116, 2, 14, 14}, true);
  // Rows 3..5 of a [8, 10] matrix, and a column block, in the matrix's own shape.
  expect_box({3, 10}, {10, 1}, 30, 80, {8, 10}, true);
  expect_box({8, 4}, {10, 1}, 2, 80, {8, 10}, true);
  // A single element, and a whole storage seen through a transpose.
  expect_box({1, 1}, {10, 1}, 37, 80, {8, 10}, true);
  expect_box({10, 8}, {1, 10}, 0, 80, {8, 10}, true);
}

TEST(slices_the_stored_shape_cannot_draw_take_the_coarsest_shape) {
  // Columns 1..3 of rows of 4, from a storage stored as [2, 6]: no box of [2, 6] holds them.
  expect_box({3, 2}, {4, 1}, 1, 12, {2, 6}, false);
  // An every-other-element view keeps its step dim.
  expect_box({3, 3}, {6, 2}, 6, 24, {4, 6}, false);
}

int main() { return check::run_all(); }
