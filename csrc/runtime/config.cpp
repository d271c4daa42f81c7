#include "runtime/config.h"

#include <cstdlib>
#include <stdexcept>

namespace ttnn_device::runtime::config {
namespace {

const char* value_of(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

[[noreturn]] void refuse(const char* name, const char* value, const std::string& accepted, const std::string& fallback) {
  throw std::invalid_argument(std::string(name) + "='" + value + "' is not valid: it must be " + accepted +
                              " (unset, it is " + fallback + ")");
}

}  // namespace

std::string choice(const char* name, const std::vector<std::string>& accepted, const std::string& fallback) {
  const char* value = value_of(name);
  if (!value) return fallback;
  std::string list;
  for (const auto& option : accepted) {
    if (option == value) return option;
    list += (list.empty() ? "" : ", ") + option;
  }
  refuse(name, value, "one of " + list, fallback);
}

uint64_t megabytes(const char* name, uint64_t fallback_bytes, bool allow_zero) {
  const char* value = value_of(name);
  if (!value) return fallback_bytes;
  char* end = nullptr;
  const unsigned long long mb = std::strtoull(value, &end, 10);
  // strtoull accepts signs (wrapping "-5"); refuse them and byte counts that would overflow.
  const bool valid = end != value && *end == '\0' && value[0] != '-' && value[0] != '+' && mb <= (UINT64_MAX >> 20) &&
                     (allow_zero || mb > 0);
  if (!valid) {
    refuse(name, value, allow_zero ? "a whole number of megabytes" : "a positive whole number of megabytes",
           std::to_string(fallback_bytes >> 20) + " MB");
  }
  return static_cast<uint64_t>(mb) << 20;
}

}  // namespace ttnn_device::runtime::config
