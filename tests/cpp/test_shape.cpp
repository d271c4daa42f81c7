// runtime::Shape against std::vector<int64_t>, the container it stands in for: the same edits applied to
// both must leave the same dims, inline (up to Shape::kInline dims) and past it (on the heap).
#include <cstdint>
#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "runtime/shape.h"

using ttnn_device::runtime::Shape;

namespace {
std::vector<int64_t> as_vector(const Shape& s) { return std::vector<int64_t>(s.begin(), s.end()); }
}  // namespace

TEST(builds_and_converts_like_a_vector) {
  const std::vector<int64_t> dims = {2, 3, 32, 64};
  const Shape from_vector = dims;
  CHECK_EQ(as_vector(from_vector), dims);
  CHECK(from_vector == dims);
  CHECK(dims == from_vector);
  const std::vector<int64_t> back = from_vector;
  CHECK_EQ(back, dims);
  CHECK_EQ(as_vector(Shape{7}), std::vector<int64_t>{7});
  CHECK_EQ(as_vector(Shape(3, 5)), std::vector<int64_t>(3, 5));
  CHECK(Shape{}.empty());
  CHECK(Shape({1, 2}) != Shape({1, 2, 3}));
  CHECK(Shape({1, 2}) < Shape({1, 3}));
  CHECK_THROWS(std::out_of_range, Shape({1}).at(1));
}

TEST(random_edits_match_a_vector_inline_and_on_the_heap) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    Shape s;
    std::vector<int64_t> v;
    for (int step = 0; step < 40; ++step) {
      const int64_t value = static_cast<int64_t>(rng() % 100);
      switch (rng() % 7) {
        case 0: s.push_back(value), v.push_back(value); break;
        case 1: {
          const size_t at = v.empty() ? 0 : rng() % (v.size() + 1);
          s.insert(s.begin() + at, value);
          v.insert(v.begin() + at, value);
          break;
        }
        case 2:
          if (!v.empty()) {
            const size_t at = rng() % v.size();
            s.erase(s.begin() + at);
            v.erase(v.begin() + at);
          }
          break;
        case 3: {
          const size_t n = rng() % 12;
          s.resize(n, value);
          v.resize(n, value);
          break;
        }
        case 4: {  // copies and moves keep the dims, and leave the source usable
          Shape copy = s;
          Shape moved = std::move(copy);
          copy = {value};
          CHECK_EQ(as_vector(copy), std::vector<int64_t>{value});
          s = std::move(moved);
          break;
        }
        case 5: {  // inserting a range taken from the shape itself (a vector may not: it gets a copy)
          const size_t n = std::min<size_t>(v.size(), 3);
          s.insert(s.begin(), s.end() - n, s.end());
          const std::vector<int64_t> tail(v.end() - n, v.end());
          v.insert(v.begin(), tail.begin(), tail.end());
          break;
        }
        case 6:
          if (!v.empty()) s.pop_back(), v.pop_back();
          break;
      }
      CHECK_EQ(s.size(), v.size());
      if (as_vector(s) != v) {
        CHECK_EQ(as_vector(s), v);
        return;
      }
    }
  }
}

int main() { return check::run_all(); }
