// A tensor shape: int64 dims held inline up to kInline dims (every shape a model uses), on the heap past
// that. Shapes are copied with every TT tensor and buffer description an op touches, and a heap block per
// copy was a large share of a small op's cost. It reads and converts like std::vector<int64_t>, which the
// rest of the code (and its parameters) use for dim lists. Torch-free.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ttnn_device::runtime {

class Shape {
 public:
  using value_type = int64_t;
  using size_type = size_t;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;
  using reference = int64_t&;
  using const_reference = const int64_t&;
  static constexpr size_t kInline = 8;

  Shape() = default;
  explicit Shape(size_t n, int64_t value = 0) { assign(n, value); }
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  template <class It, class = decltype(*std::declval<It>())>
  Shape(It first, It last) { assign(first, last); }
  Shape(const std::vector<int64_t>& dims) { assign(dims.begin(), dims.end()); }  // NOLINT: reads like one
  Shape(const Shape& other) { assign(other.begin(), other.end()); }
  Shape(Shape&& other) noexcept { take(other); }
  Shape& operator=(const Shape& other) {
    if (this != &other) assign(other.begin(), other.end());
    return *this;
  }
  Shape& operator=(Shape&& other) noexcept {
    if (this != &other) take(other);
    return *this;
  }
  Shape& operator=(const std::vector<int64_t>& dims) {
    assign(dims.begin(), dims.end());
    return *this;
  }
  Shape& operator=(std::initializer_list<int64_t> dims) {
    assign(dims.begin(), dims.end());
    return *this;
  }
  operator std::vector<int64_t>() const { return std::vector<int64_t>(begin(), end()); }  // NOLINT
  std::vector<int64_t> vec() const { return *this; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return heap_ ? heap_.get() : inline_; }
  const int64_t* data() const { return heap_ ? heap_.get() : inline_; }
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }
  std::reverse_iterator<iterator> rbegin() { return std::reverse_iterator<iterator>(end()); }
  std::reverse_iterator<iterator> rend() { return std::reverse_iterator<iterator>(begin()); }
  std::reverse_iterator<const_iterator> rbegin() const { return std::reverse_iterator<const_iterator>(end()); }
  std::reverse_iterator<const_iterator> rend() const { return std::reverse_iterator<const_iterator>(begin()); }
  int64_t& operator[](size_t i) { return data()[i]; }
  const int64_t& operator[](size_t i) const { return data()[i]; }
  int64_t& at(size_t i) { return data()[checked(i)]; }
  const int64_t& at(size_t i) const { return data()[checked(i)]; }
  int64_t& front() { return data()[0]; }
  const int64_t& front() const { return data()[0]; }
  int64_t& back() { return data()[size_ - 1]; }
  const int64_t& back() const { return data()[size_ - 1]; }

  void clear() { size_ = 0; }
  void reserve(size_t n) { grow(n); }
  void resize(size_t n, int64_t value = 0) {
    grow(n);
    std::fill(data() + std::min(n, size_), data() + n, value);
    size_ = n;
  }
  void assign(size_t n, int64_t value) {
    size_ = 0;
    resize(n, value);
  }
  template <class It>
  void assign(It first, It last) {
    const size_t n = static_cast<size_t>(std::distance(first, last));
    size_ = 0;
    grow(n);
    std::copy(first, last, data());
    size_ = n;
  }
  void push_back(int64_t d) {
    grow(size_ + 1);
    data()[size_++] = d;
  }
  template <class A>
  int64_t& emplace_back(A a) {
    push_back(static_cast<int64_t>(a));
    return back();
  }
  void pop_back() { --size_; }
  iterator insert(const_iterator pos, int64_t d) { return insert(pos, size_t{1}, d); }
  iterator insert(const_iterator pos, size_t n, int64_t d) {
    const size_t at = static_cast<size_t>(pos - begin());
    grow(size_ + n);
    std::copy_backward(data() + at, data() + size_, data() + size_ + n);
    std::fill(data() + at, data() + at + n, d);
    size_ += n;
    return data() + at;
  }
  template <class It, class = decltype(*std::declval<It>())>
  iterator insert(const_iterator pos, It first, It last) {
    const std::vector<int64_t> values(first, last);  // first..last may point into this shape
    const size_t at = static_cast<size_t>(pos - begin()), n = values.size();
    grow(size_ + n);
    std::copy_backward(data() + at, data() + size_, data() + size_ + n);
    std::copy(values.begin(), values.end(), data() + at);
    size_ += n;
    return data() + at;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const size_t at = static_cast<size_t>(first - begin()), n = static_cast<size_t>(last - first);
    std::copy(data() + at + n, data() + size_, data() + at);
    size_ -= n;
    return data() + at;
  }

  friend bool operator==(const Shape& a, const Shape& b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }
  friend bool operator==(const Shape& a, const std::vector<int64_t>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator==(const std::vector<int64_t>& a, const Shape& b) { return b == a; }
  friend bool operator!=(const Shape& a, const std::vector<int64_t>& b) { return !(a == b); }
  friend bool operator!=(const std::vector<int64_t>& a, const Shape& b) { return !(b == a); }
  friend std::ostream& operator<<(std::ostream& os, const Shape& s) {
    os << "[";
    for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
    return os << "]";
  }
  friend bool operator<(const Shape& a, const Shape& b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  size_t checked(size_t i) const {
    if (i >= size_) throw std::out_of_range("shape dim " + std::to_string(i) + " of " + std::to_string(size_));
    return i;
  }
  void grow(size_t n) {
    if (n <= capacity_) return;
    const size_t capacity = std::max(n, capacity_ * 2);
    std::unique_ptr<int64_t[]> heap(new int64_t[capacity]);
    std::copy(begin(), end(), heap.get());
    heap_ = std::move(heap);
    capacity_ = capacity;
  }
  void take(Shape& other) {
    size_ = other.size_;
    if (other.heap_) {
      heap_ = std::move(other.heap_);
      capacity_ = other.capacity_;
      other.capacity_ = kInline;
    } else {
      heap_.reset();
      capacity_ = kInline;
      std::copy(other.inline_, other.inline_ + size_, inline_);
    }
    other.size_ = 0;
  }

  int64_t inline_[kInline];
  std::unique_ptr<int64_t[]> heap_;  // past kInline dims
  size_t size_ = 0;
  size_t capacity_ = kInline;
};

}  // namespace ttnn_device::runtime
