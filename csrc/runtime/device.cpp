#include "runtime/device.h"

#include "runtime/config.h"

#include <cstdlib>
#include <map>

#include "runtime/sim/sim_device.h"

namespace ttnn_device::runtime {

OutOfDeviceMemory::OutOfDeviceMemory(int device_index, uint64_t requested_bytes, uint64_t free, uint64_t cap)
    : std::runtime_error("out of device memory on ttnn:" + std::to_string(device_index) + ": tried to allocate " +
                         std::to_string(requested_bytes) + " bytes with " + std::to_string(free) +
                         " bytes free of " + std::to_string(cap)),
      device(device_index),
      requested(requested_bytes),
      free_bytes(free),
      capacity(cap) {}

void Device::upload(const Block&, const TensorDesc&, const void*) {
  throw std::logic_error(backend_name() + " devices hold bytes, not tensors");
}
void Device::download(const Block&, const TensorDesc&, void*) const {
  throw std::logic_error(backend_name() + " devices hold bytes, not tensors");
}

namespace {
std::map<std::string, BackendFactory>& factories() {
  static auto* f = new std::map<std::string, BackendFactory>();
  return *f;
}

std::string backend_from_environment() {
  // ttnn_device.backend resolves "auto" before the registry is used; read alone, it is the reference device.
  const std::string name = config::choice("TTNN_DEVICE_BACKEND", {"auto", "sim", "ttnn"}, "sim");
  return name == "auto" ? "sim" : name;
}
}  // namespace

void register_backend(const std::string& name, BackendFactory factory) { factories()[name] = factory; }

void DeviceRegistry::select_backend(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ready_.load()) {
    const std::string current = backend_.empty() ? backend_from_environment() : backend_;
    if (current == name) return;
    throw std::logic_error("the ttnn devices already run on the '" + current + "' backend; the backend (" + name +
                           ") must be chosen before the first device is used");
  }
  backend_ = name;
}

std::string DeviceRegistry::backend() {
  std::lock_guard<std::mutex> lock(mutex_);
  return backend_.empty() ? backend_from_environment() : backend_;
}

DeviceRegistry& DeviceRegistry::instance() {
  // Leaked on purpose: tensors freed during interpreter shutdown still reach their device.
  static auto* registry = new DeviceRegistry();
  return *registry;
}

void DeviceRegistry::init_locked() {
  if (ready_.load(std::memory_order_relaxed)) return;  // mutex_ is held: no concurrent initialiser
  try {
    board_ = board_from_environment();
    if (backend_.empty()) backend_ = backend_from_environment();
    if (backend_ == "sim") {
      for (int i = 0; i < board_.chips; ++i) devices_.push_back(std::make_unique<SimDevice>(i, board_));
    } else {
      auto factory = factories().find(backend_);
      if (factory == factories().end()) {
        std::string known = "sim";
        for (const auto& [name, f] : factories()) known += ", " + name;
        throw std::invalid_argument("TTNN_DEVICE_BACKEND=" + backend_ + " is not a backend of this build (" +
                                    known + ", or auto)");
      }
      const int n = factory->second.count();
      board_.chips = n;
      for (int i = 0; i < n; ++i) devices_.push_back(factory->second.make(i, board_));
    }
  } catch (const std::exception& e) {
    error_ = e.what();
    devices_.clear();
  }
  ready_.store(true, std::memory_order_release);  // devices_ is final: device() may now skip the lock
}

int DeviceRegistry::count() {
  // Lock-free once the devices exist: every device guard checks its index through here.
  if (!ready_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(mutex_);
    init_locked();
  }
  return static_cast<int>(devices_.size());
}

Device& DeviceRegistry::device(int index) {
  // Devices never change once created: after the first call this is a lock-free lookup (it runs on
  // every device read and write).
  if (!ready_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(mutex_);
    init_locked();
  }
  if (index < 0 || index >= static_cast<int>(devices_.size())) {
    std::string why = error_.empty() ? "" : " (" + error_ + ")";
    throw std::out_of_range("ttnn device index " + std::to_string(index) + " is out of range: this " +
                            board_.name + " has " + std::to_string(devices_.size()) + " device(s)" + why);
  }
  return *devices_[index];
}

const BoardProfile& DeviceRegistry::board() {
  std::lock_guard<std::mutex> lock(mutex_);
  init_locked();
  return board_;
}

std::string DeviceRegistry::error() {
  std::lock_guard<std::mutex> lock(mutex_);
  init_locked();
  return error_;
}

}  // namespace ttnn_device::runtime
