// The arguments of one vocabulary call, by TT-NN's parameter names: what the backends receive, and what
// the hardware backend passes to the `ttnn` function as keyword arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ops/tt_tensor.h"

namespace ttnn_device::ops {

using Value = std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<int64_t>, TtTensor,
                           std::vector<TtTensor>, DataType, Layout>;

class Args {
 public:
  Args();
  Args(std::initializer_list<std::pair<const char*, Value>> items);
  Args& set(const char* name, Value value);  // names must be string literals (kept by pointer)

  bool has(const char* name) const;
  const Value* find(const char* name) const;
  const TtTensor& tensor(const char* name) const;
  std::optional<TtTensor> optional_tensor(const char* name) const;
  const std::vector<TtTensor>& tensors(const char* name) const;
  bool is_tensor(const char* name) const;
  double number(const char* name, std::optional<double> fallback = std::nullopt) const;
  int64_t integer(const char* name, std::optional<int64_t> fallback = std::nullopt) const;
  bool flag(const char* name, std::optional<bool> fallback = std::nullopt) const;
  std::string text(const char* name, std::optional<std::string> fallback = std::nullopt) const;
  std::vector<int64_t> ints(const char* name, std::optional<std::vector<int64_t>> fallback = std::nullopt) const;
  std::optional<DataType> data_type(const char* name) const;
  std::optional<Layout> layout(const char* name) const;

  const std::vector<std::pair<const char*, Value>>& items() const { return items_; }

 private:
  // Most calls pass up to four arguments: one allocation instead of one per growth step.
  static constexpr size_t kTypical = 4;
  std::vector<std::pair<const char*, Value>> items_;
};

}  // namespace ttnn_device::ops
