#include "ops/args.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ttnn_device::ops {
namespace {
// Names are string literals: the same literal is usually the same pointer, which settles it at once.
bool same_name(const char* a, const char* b) { return a == b || std::strcmp(a, b) == 0; }
}  // namespace

Args::Args() { items_.reserve(kTypical); }

Args::Args(std::initializer_list<std::pair<const char*, Value>> items) {
  items_.reserve(std::max(items.size(), kTypical));
  for (const auto& [name, value] : items) set(name, value);
}

Args& Args::set(const char* name, Value value) {
  for (auto& item : items_) {
    if (same_name(item.first, name)) {
      item.second = std::move(value);
      return *this;
    }
  }
  items_.emplace_back(name, std::move(value));
  return *this;
}

const Value* Args::find(const char* name) const {
  for (const auto& item : items_) {
    if (same_name(item.first, name)) {
      return std::holds_alternative<std::monostate>(item.second) ? nullptr : &item.second;
    }
  }
  return nullptr;
}

bool Args::has(const char* name) const { return find(name) != nullptr; }

namespace {
[[noreturn]] void missing(const char* name, const char* kind) {
  throw std::invalid_argument(std::string("vocabulary call without ") + kind + " argument '" + name + "'");
}
template <class T>
const T* get_if(const Value* value) {
  return value ? std::get_if<T>(value) : nullptr;
}
}  // namespace

const TtTensor& Args::tensor(const char* name) const {
  if (const auto* t = get_if<TtTensor>(find(name))) return *t;
  missing(name, "the tensor");
}

std::optional<TtTensor> Args::optional_tensor(const char* name) const {
  if (const auto* t = get_if<TtTensor>(find(name))) return *t;
  return std::nullopt;
}

bool Args::is_tensor(const char* name) const { return get_if<TtTensor>(find(name)) != nullptr; }

const std::vector<TtTensor>& Args::tensors(const char* name) const {
  if (const auto* t = get_if<std::vector<TtTensor>>(find(name))) return *t;
  missing(name, "the tensor list");
}

double Args::number(const char* name, std::optional<double> fallback) const {
  const Value* v = find(name);
  if (const auto* d = get_if<double>(v)) return *d;
  if (const auto* i = get_if<int64_t>(v)) return static_cast<double>(*i);
  if (const auto* b = get_if<bool>(v)) return *b ? 1.0 : 0.0;
  if (fallback) return *fallback;
  missing(name, "the number");
}

int64_t Args::integer(const char* name, std::optional<int64_t> fallback) const {
  const Value* v = find(name);
  if (const auto* i = get_if<int64_t>(v)) return *i;
  if (const auto* b = get_if<bool>(v)) return *b;
  if (fallback) return *fallback;
  missing(name, "the integer");
}

bool Args::flag(const char* name, std::optional<bool> fallback) const {
  if (const auto* b = get_if<bool>(find(name))) return *b;
  if (fallback) return *fallback;
  missing(name, "the flag");
}

std::string Args::text(const char* name, std::optional<std::string> fallback) const {
  if (const auto* s = get_if<std::string>(find(name))) return *s;
  if (fallback) return *fallback;
  missing(name, "the string");
}

std::vector<int64_t> Args::ints(const char* name, std::optional<std::vector<int64_t>> fallback) const {
  const Value* v = find(name);
  if (const auto* l = get_if<std::vector<int64_t>>(v)) return *l;
  if (const auto* i = get_if<int64_t>(v)) return {*i};
  if (fallback) return *fallback;
  missing(name, "the integer list");
}

std::optional<DataType> Args::data_type(const char* name) const {
  if (const auto* d = get_if<DataType>(find(name))) return *d;
  return std::nullopt;
}

std::optional<Layout> Args::layout(const char* name) const {
  if (const auto* l = get_if<Layout>(find(name))) return *l;
  return std::nullopt;
}

}  // namespace ttnn_device::ops
