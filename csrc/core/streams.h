// Streams and events of the ttnn device, as torch.Stream / torch.Event see them through the device guard.
// Both backends run a device's ops in one in-order command queue (the reference device computes each op
// when it is called), so every stream of a device is that queue: a stream is a name to record events on and
// to make current, and ops on two streams never overlap. (The hardware backend's non-blocking uploads run
// on a transfer queue beside it, which Device::synchronize drains.) Events are host timestamps taken once
// the device has finished the work queued before them, which is what elapsed_time measures on a card too.
#pragma once

#include <c10/core/Stream.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

namespace ttnn_device::core {

// The calling thread's current stream on `device` (the default stream until one is made current).
c10::Stream current_stream(c10::Device device);
// Makes `stream` current for its device on this thread; returns the stream it replaces.
c10::Stream exchange_stream(c10::Stream stream);
// A stream of `device` other than the default one, taken round-robin from a fixed pool, as CUDA does.
c10::Stream pool_stream(c10::Device device);

void record_event(void** event, const c10::Stream& stream, c10::DeviceIndex device, c10::EventFlag flag);
bool event_done(void* event);
void wait_for_event(void* event);
double event_elapsed_ms(void* start, void* end);
void destroy_event(void* event) noexcept;

}  // namespace ttnn_device::core
