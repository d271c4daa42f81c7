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

namespace {

// One step of a view's walk through memory, innermost first.
struct Level {
  int64_t size, stride;
};

// The plan's flat range and dense slice for a walk whose levels nest (each stride a multiple of the next
// smaller one, with room for that level's extent); false, with those fields cleared, when they do not.
bool take_dense(const std::vector<Level>& levels, int64_t offset, int64_t storage_elements, ViewPlan& plan) {
  plan.dense.clear();
  plan.starts.clear();
  plan.ends.clear();
  const size_t k = levels.size();
  auto n = [&](size_t i) { return levels[i].size; };
  auto s = [&](size_t i) { return levels[i].stride; };
  for (size_t i = 0; i + 1 < k; ++i) {
    if (s(i + 1) % s(i) != 0 || s(i + 1) / s(i) < n(i)) return false;
  }
  const int64_t outer_stride = s(k - 1);
  const int64_t q = offset / outer_stride;
  int64_t r = offset - q * outer_stride;
  plan.begin = q * outer_stride;
  plan.end = (q + n(k - 1)) * outer_stride;
  if (plan.end > storage_elements) return false;
  // dense: [n_{k-1}, E_{k-2}, ..., E_0, s_0], outermost first.
  plan.dense.push_back(n(k - 1));
  plan.starts.push_back(0);
  plan.ends.push_back(n(k - 1));
  for (size_t j = k - 1; j-- > 0;) {
    const int64_t extent = s(j + 1) / s(j);
    const int64_t start = r / s(j);
    r -= start * s(j);
    if (start + n(j) > extent) {  // the dim wraps into the next row
      plan.dense.clear();
      plan.starts.clear();
      plan.ends.clear();
      return false;
    }
    plan.dense.push_back(extent);
    plan.starts.push_back(start);
    plan.ends.push_back(start + n(j));
  }
  // The innermost step: a dim of its own only when the view skips elements (stride > 1); a unit dim
  // there would make TILE tensors re-tile into one padded column.
  if (s(0) > 1) {
    plan.dense.push_back(s(0));
    plan.starts.push_back(r);
    plan.ends.push_back(r + 1);
  }
  return true;
}

}  // namespace

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
  std::vector<Level> levels;
  for (size_t i = 0; i < k; ++i) levels.push_back({n(i), strides[inner_first[i]]});
  if (!take_dense(levels, offset, storage_elements, plan)) {
    // Dims that run on from each other in memory (a dim split after a slice of the storage, e.g. the
    // 196 = 14 x 14 patches sliced out of 197 tokens) nest only as the one dim they form: slice that,
    // and the reshape to `compact` splits it again.
    std::vector<Level> merged;
    for (const Level& level : levels) {
      if (!merged.empty() && level.stride == merged.back().size * merged.back().stride) {
        merged.back().size *= level.size;
      } else {
        merged.push_back(level);
      }
    }
    if (merged.size() == levels.size() || !take_dense(merged, offset, storage_elements, plan)) return std::nullopt;
  }
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

bool StorageBox::whole() const {
  for (size_t d = 0; d < shape.size(); ++d) {
    if (starts[d] != 0 || ends[d] != shape[d]) return false;
  }
  return true;
}

namespace {

// Adjacent dims merged, walking outwards from the innermost, wherever the pair still takes one run of
// elements: the inner dim is taken whole, or the outer dim takes a single index.
StorageBox coarsest(const StorageBox& box) {
  StorageBox out;
  auto keep = [&](int64_t e, int64_t b, int64_t f) {
    out.shape.insert(out.shape.begin(), e);
    out.starts.insert(out.starts.begin(), b);
    out.ends.insert(out.ends.begin(), f);
  };
  int64_t e = box.shape.back(), b = box.starts.back(), f = box.ends.back();
  for (size_t d = box.shape.size() - 1; d-- > 0;) {
    const int64_t outer_b = box.starts[d], outer_f = box.ends[d];
    if ((b == 0 && f == e) || outer_f - outer_b == 1) {
      b += outer_b * e;
      f += (outer_f - 1) * e;
      e *= box.shape[d];
    } else {
      keep(e, b, f);
      e = box.shape[d];
      b = outer_b;
      f = outer_f;
    }
  }
  keep(e, b, f);
  return out;
}

// The coarsest box redrawn in `target`, splitting its dims from the innermost: a dim of extent E splits
// into (E / t, t) where the range stays a box (aligned to t, or inside one block of t).
std::optional<StorageBox> redraw(const StorageBox& coarse, const std::vector<int64_t>& target) {
  StorageBox out{target, std::vector<int64_t>(target.size(), 0), target};
  int64_t c = static_cast<int64_t>(coarse.shape.size()) - 1;  // the coarse dim being split
  int64_t e = coarse.shape[c], b = coarse.starts[c], f = coarse.ends[c];
  for (size_t d = target.size(); d-- > 0;) {
    const int64_t t = target[d];
    if (c < 0) {  // every coarse dim is drawn: only unit dims may remain
      if (t != 1) return std::nullopt;
      continue;
    }
    if (e == t) {
      out.starts[d] = b;
      out.ends[d] = f;
      if (--c >= 0) {
        e = coarse.shape[c];
        b = coarse.starts[c];
        f = coarse.ends[c];
      }
      continue;
    }
    if (t <= 0 || e % t != 0) return std::nullopt;
    if (b % t == 0 && f % t == 0) {
      out.starts[d] = 0;
      out.ends[d] = t;
      b /= t;
      f /= t;
    } else if (b / t == (f - 1) / t) {
      out.starts[d] = b % t;
      out.ends[d] = b % t + (f - b);
      b /= t;
      f = b + 1;
    } else {
      return std::nullopt;
    }
    e /= t;
  }
  if (c >= 0) {  // what is left of the coarse dims must be unit dims
    if (e != 1) return std::nullopt;
    for (int64_t k = c - 1; k >= 0; --k) {
      if (coarse.shape[k] != 1) return std::nullopt;
    }
  }
  return out;
}

}  // namespace

bool takes_whole_tiles(const std::vector<int64_t>& shape, const std::vector<int64_t>& starts,
                       const std::vector<int64_t>& ends) {
  if (shape.size() < 2 || starts.size() != shape.size() || ends.size() != shape.size()) return false;
  for (size_t d = shape.size() - 2; d < shape.size(); ++d) {
    if (shape[d] <= 1 || ends[d] - starts[d] <= 1 || starts[d] % 32 != 0) return false;
    if (ends[d] % 32 != 0 && ends[d] != shape[d]) return false;
  }
  return true;
}

std::optional<StorageBox> storage_box(const ViewPlan& plan, int64_t storage_elements,
                                      const std::vector<int64_t>& preferred) {
  const int64_t row = (plan.end - plan.begin) / plan.dense.front();
  if (row <= 0 || storage_elements % row != 0 || plan.begin % row != 0) return std::nullopt;
  StorageBox box{plan.dense, plan.starts, plan.ends};
  box.shape.front() = storage_elements / row;
  box.starts.front() += plan.begin / row;
  box.ends.front() += plan.begin / row;
  StorageBox coarse = coarsest(box);
  int64_t preferred_elements = 1;
  for (int64_t p : preferred) preferred_elements *= p;
  if (!preferred.empty() && preferred_elements == storage_elements) {
    if (auto drawn = redraw(coarse, preferred)) return drawn;
  }
  return coarse;
}

}  // namespace ttnn_device::ops
