// Device guard for PrivateUse1: lets torch.device contexts, DeviceGuard and torch.accelerator switch the
// current ttnn device, and gives torch.Stream / torch.Event their meaning here (core/streams.h).
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include "core/device_state.h"
#include "core/streams.h"
#include "runtime/device.h"

namespace ttnn_device::core {
namespace {

struct Guard final : public c10::impl::DeviceGuardImplInterface {
  static constexpr c10::DeviceType kType = c10::DeviceType::PrivateUse1;

  c10::DeviceType type() const override { return kType; }

  c10::Device exchangeDevice(c10::Device device) const override {
    TORCH_CHECK(device.type() == kType, "expected a ttnn device, got ", device);
    c10::Device previous(kType, current_device());
    if (device.index() != previous.index()) set_current_device(device.index());
    return previous;
  }

  c10::Device getDevice() const override { return c10::Device(kType, current_device()); }

  void setDevice(c10::Device device) const override {
    TORCH_CHECK(device.type() == kType, "expected a ttnn device, got ", device);
    set_current_device(device.index());
  }

  void uncheckedSetDevice(c10::Device device) const noexcept override {
    try {
      set_current_device(device.index());
    } catch (...) {
    }
  }

  c10::Stream getStream(c10::Device device) const noexcept override { return current_stream(device); }

  c10::Stream getDefaultStream(c10::Device device) const override {
    return c10::Stream(c10::Stream::DEFAULT, device);
  }

  c10::Stream getStreamFromGlobalPool(c10::Device device, bool) const override { return pool_stream(device); }

  c10::Stream getNewStream(c10::Device device, int) const override { return pool_stream(device); }

  c10::Stream exchangeStream(c10::Stream stream) const noexcept override { return exchange_stream(stream); }

  void record(void** event, const c10::Stream& stream, const c10::DeviceIndex device,
              const c10::EventFlag flag) const override {
    record_event(event, stream, device, flag);
  }

  void block(void* event, const c10::Stream&) const override { wait_for_event(event); }

  bool queryEvent(void* event) const override { return event_done(event); }

  void synchronizeEvent(void* event) const override { wait_for_event(event); }

  double elapsedTime(void* start, void* end, const c10::DeviceIndex) const override {
    return event_elapsed_ms(start, end);
  }

  void destroyEvent(void* event, const c10::DeviceIndex) const noexcept override { destroy_event(event); }

  c10::DeviceIndex deviceCount() const noexcept override { return device_count(); }

  // Ops run when called; only the hardware backend's queued uploads can still be in flight.
  bool queryStream(const c10::Stream& stream) const override {
    return !runtime::DeviceRegistry::instance().device(stream.device_index()).busy();
  }

  void synchronizeStream(const c10::Stream& stream) const override {
    runtime::DeviceRegistry::instance().device(stream.device_index()).synchronize();
  }

  void synchronizeDevice(const c10::DeviceIndex device_index) const override {
    runtime::DeviceRegistry::instance().device(device_index).synchronize();
  }
};

C10_REGISTER_GUARD_IMPL(PrivateUse1, Guard);

}  // namespace
}  // namespace ttnn_device::core
