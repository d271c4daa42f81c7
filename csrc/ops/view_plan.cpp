#include "ops/view_plan.h"

#include <algorithm>
#include <numeric>

namespace ttnn_device::ops {

bool ViewPlan::needs_slice() const {
  for (size_t i = 0; i < dense.size(); ++i) {
    if (starts[i] != 0 || ends[i] != dense[i]) return true;
  }
  return false;
}

bool ViewPlan::needs_permute() const {
  for (size_t i = 0; i < permutation.size(); ++i) {
    if (permutation[i] != static_cast<int64_t>(i)) return true;
  }
  return false;
}

bool ViewPlan::needs_expand() const { return unexpanded != sizes; }

std::optional<ViewPlan> plan_view(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides,
                                  int64_t offset, int64_t storage_elements) {
  ViewPlan plan;
  plan.sizes = sizes;
  plan.unexpanded = sizes;
  // The dims that move through memory: size > 1 and stride > 0, in the view's order.
  std::vector<int64_t> moving;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) return std::nullopt;  // empty views need no plan
    if (sizes[d] > 1 && strides[d] == 0) plan.unexpanded[d] = 1;
    if (sizes[d] > 1 && strides[d] > 0) moving.push_back(static_cast<int64_t>(d));
    if (strides[d] < 0) return std::nullopt;
  }
  // Memory order, innermost first: ascending stride (ties cannot nest unless a size is 1, excluded).
  std::vector<int64_t> inner_first = moving;
  std::stable_sort(inner_first.begin(), inner_first.end(),
                   [&](int64_t a, int64_t b) { return strides[a] < strides[b]; });
  const size_t k = inner_first.size();
  if (k == 0) {
    if (offset >= storage_elements) return std::nullopt;
    plan.begin = offset;
    plan.end = offset + 1;
    plan.dense = {1};
    plan.starts = {0};
    plan.ends = {1};
    plan.compact = {};
    return plan;
  }
  auto n = [&](size_t i) { return sizes[inner_first[i]]; };
  auto s = [&](size_t i) { return strides[inner_first[i]]; };
  for (size_t i = 0; i + 1 < k; ++i) {
    if (s(i + 1) % s(i) != 0 || s(i + 1) / s(i) < n(i)) return std::nullopt;
  }
  const int64_t outer_stride = s(k - 1);
  const int64_t q = offset / outer_stride;
  int64_t r = offset - q * outer_stride;
  plan.begin = q * outer_stride;
  plan.end = (q + n(k - 1)) * outer_stride;
  if (plan.end > storage_elements) return std::nullopt;
  // dense: [n_{k-1}, E_{k-2}, ..., E_0, s_0], outermost first.
  plan.dense.push_back(n(k - 1));
  plan.starts.push_back(0);
  plan.ends.push_back(n(k - 1));
  for (size_t j = k - 1; j-- > 0;) {
    const int64_t extent = s(j + 1) / s(j);
    const int64_t start = r / s(j);
    r -= start * s(j);
    if (start + n(j) > extent) return std::nullopt;  // the dim wraps into the next row
    plan.dense.push_back(extent);
    plan.starts.push_back(start);
    plan.ends.push_back(start + n(j));
  }
  plan.dense.push_back(s(0));
  plan.starts.push_back(r);
  plan.ends.push_back(r + 1);
  // compact: the moving dims, outermost first; permutation: for each view-order moving dim, which
  // compact dim it is (the argument TT-NN's permute takes).
  for (size_t j = k; j-- > 0;) plan.compact.push_back(n(j));
  plan.permutation.resize(k);
  for (size_t pos = 0; pos < k; ++pos) {
    const int64_t dim = moving[pos];
    const auto it = std::find(inner_first.begin(), inner_first.end(), dim);
    const int64_t inner_index = it - inner_first.begin();
    plan.permutation[pos] = static_cast<int64_t>(k) - 1 - inner_index;
  }
  return plan;
}

}  // namespace ttnn_device::ops
