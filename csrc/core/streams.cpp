#include "core/streams.h"

#include <c10/util/Exception.h>

#include <array>
#include <atomic>
#include <chrono>
#include <unordered_map>

#include "core/device_state.h"
#include "runtime/device.h"

namespace ttnn_device::core {
namespace {

// As many pool streams per device as CUDA's pool holds per priority.
constexpr c10::StreamId kPoolStreams = 32;

struct Event {
  c10::DeviceIndex device = -1;
  c10::EventFlag flag = c10::EventFlag::PYTORCH_DEFAULT;
  bool recorded = false;
  std::chrono::steady_clock::time_point when;
};

Event* as_event(void* event) { return static_cast<Event*>(event); }

thread_local std::unordered_map<c10::DeviceIndex, c10::StreamId> current_ids;

}  // namespace

c10::Stream current_stream(c10::Device device) {
  auto it = current_ids.find(device.index());
  return c10::Stream(c10::Stream::UNSAFE, device, it == current_ids.end() ? 0 : it->second);
}

c10::Stream exchange_stream(c10::Stream stream) {
  const c10::Stream previous = current_stream(stream.device());
  current_ids[stream.device_index()] = stream.id();
  return previous;
}

c10::Stream pool_stream(c10::Device device) {
  static std::atomic<uint32_t> next{0};
  if (!device.has_index()) device = c10::Device(device.type(), current_device());  // torch.Stream(device="ttnn")
  const c10::StreamId id = 1 + static_cast<c10::StreamId>(next++ % kPoolStreams);
  return c10::Stream(c10::Stream::UNSAFE, device, id);
}

void record_event(void** event, const c10::Stream& stream, c10::DeviceIndex device, c10::EventFlag flag) {
  TORCH_CHECK(device == -1 || device == stream.device_index(), "event device ", static_cast<int>(device),
              " does not match the recording stream's device ", static_cast<int>(stream.device_index()));
  if (*event == nullptr) {
    auto* created = new Event();
    created->device = stream.device_index();
    created->flag = flag;
    *event = created;
  }
  Event* e = as_event(*event);
  // The queue is in order: once the device is idle, everything queued before the record has run.
  runtime::DeviceRegistry::instance().device(stream.device_index()).synchronize();
  e->when = std::chrono::steady_clock::now();
  e->recorded = true;
}

bool event_done(void* event) { return true; }  // recorded events are complete when record returns

void wait_for_event(void*) {}  // nothing queued can still be running after record (see record_event)

double event_elapsed_ms(void* start, void* end) {
  TORCH_CHECK(start && end, "Both events must be recorded before calculating elapsed time.");
  const Event* a = as_event(start);
  const Event* b = as_event(end);
  TORCH_CHECK(a->flag == c10::EventFlag::BACKEND_DEFAULT && b->flag == c10::EventFlag::BACKEND_DEFAULT,
              "Both events must be created with argument 'enable_timing=True'.");
  TORCH_CHECK(a->recorded && b->recorded, "Both events must be recorded before calculating elapsed time.");
  TORCH_CHECK(a->device == b->device, "Both events must be recorded on the same device.");
  return std::chrono::duration<double, std::milli>(b->when - a->when).count();
}

void destroy_event(void* event) noexcept { delete as_event(event); }

}  // namespace ttnn_device::core
