// Every TTNN_DEVICE_* setting of the extension is read here, with one policy: unset or empty means the
// default; any other value must be one the setting accepts, or the read throws std::invalid_argument
// naming the variable, the value, what it accepts and the default. Settings are read on first use (never
// while the extension loads), so a bad value surfaces as a Python exception at the first call that needs
// it, never as an abort. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ttnn_device::runtime::config {

// One of `accepted` (compared exactly).
std::string choice(const char* name, const std::vector<std::string>& accepted, const std::string& fallback);
// A whole number of megabytes, returned in bytes; 0 only where `allow_zero`.
uint64_t megabytes(const char* name, uint64_t fallback_bytes, bool allow_zero);

}  // namespace ttnn_device::runtime::config
