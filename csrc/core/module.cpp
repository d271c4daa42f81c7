// ttnn_device._C: the Python entry points of the extension. Importing it loads every registration
// (hooks, guard, allocator, kernels, fallback) through static initialisers; the functions below serve
// the torch.ttnn device module and the ttnn_device package.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <torch/csrc/Generator.h>
#include <ATen/Parallel.h>
#include <torch/csrc/utils/pybind.h>

#include <atomic>

#include "core/py_shape.h"
#include "core/bind_formats.h"
#include "core/caching_allocator.h"
#include "core/device_state.h"
#include "core/fallback.h"
#include "core/generator.h"
#include "core/physical_format.h"
#include "core/pinned_host.h"
#include "core/profile_log.h"
#include "core/tensor_access.h"
#include "core/transfers.h"
#include "aten/call_op.h"
#include "ops/bind_ops.h"
#include "ops/ttnn/bind_hardware.h"
#include "runtime/config.h"
#include "runtime/device.h"
#include "runtime/formats/tilize.h"

namespace py = pybind11;

namespace ttnn_device::core {
namespace {

py::dict stat_dict(const c10::CachingAllocator::Stat& stat) {
  py::dict d;
  d["current"] = stat.current;
  d["peak"] = stat.peak;
  d["allocated"] = stat.allocated;
  d["freed"] = stat.freed;
  return d;
}

// The statistics in the flat "name.all.kind" form torch.cuda.memory_stats() uses.
py::dict memory_stats(c10::DeviceIndex device) {
  const auto stats = caching_allocator().getDeviceStats(device);
  py::dict out;
  const std::pair<const char*, const c10::CachingAllocator::StatArray*> arrays[] = {
      {"allocation", &stats.allocation},           {"segment", &stats.segment},
      {"active", &stats.active},                   {"allocated_bytes", &stats.allocated_bytes},
      {"reserved_bytes", &stats.reserved_bytes},   {"active_bytes", &stats.active_bytes},
      {"requested_bytes", &stats.requested_bytes},
  };
  for (const auto& [name, array] : arrays) {
    const auto d = stat_dict((*array)[0]);
    for (const auto& item : d) {
      out[py::str(std::string(name) + ".all." + item.first.cast<std::string>())] = item.second;
    }
  }
  out["num_alloc_retries"] = stats.num_alloc_retries;
  out["num_ooms"] = stats.num_ooms;
  out["num_device_alloc"] = stats.num_device_alloc;
  out["num_device_free"] = stats.num_device_free;
  return out;
}

py::dict board_dict(const runtime::BoardProfile& board) {
  py::dict d;
  d["name"] = board.name;
  d["arch"] = board.arch;
  d["chips"] = board.chips;
  d["dram_bytes"] = board.dram_bytes;
  d["dram_banks"] = board.dram_banks;
  d["dram_alignment"] = board.dram_alignment;
  return d;
}

py::dict transfer_dict() {
  const auto t = transfer_counts();
  py::dict h2d, d2h, out;
  h2d["count"] = t.host_to_device_count;
  h2d["bytes"] = t.host_to_device_bytes;
  d2h["count"] = t.device_to_host_count;
  d2h["bytes"] = t.device_to_host_bytes;
  out["host_to_device"] = h2d;
  out["device_to_host"] = d2h;
  return out;
}

}  // namespace
}  // namespace ttnn_device::core

PYBIND11_MODULE(_C, m) {
  using namespace ttnn_device::core;
  m.doc() = "ttnn_device native extension";
  // Format conversions run on torch's intra-op threads (torch.set_num_threads applies to them too).
  ttnn_device::runtime::formats::set_parallel_for([](int64_t n, int64_t grain, const ttnn_device::runtime::formats::RangeFn& fn) {
    at::parallel_for(0, n, grain, fn);
  });
  // How many of torch's intra-op threads the extension's own at::parallel_for reaches over `items`
  // one-item tasks: a build that compiled the header-inlined OpenMP loop serially reports 1.
  m.def("_parallel_threads_reached", [](int64_t items) {
    std::atomic<int> highest{0};
    at::parallel_for(0, items, 1, [&](int64_t, int64_t) {
      int seen = highest.load();
      const int mine = at::get_thread_num() + 1;
      while (mine > seen && !highest.compare_exchange_weak(seen, mine)) {
      }
    });
    return highest.load();
  });
  // The Python package's own settings (the backend choice) go through the same reader and policy.
  m.def("_config_choice", [](const std::string& name, const std::vector<std::string>& accepted,
                             const std::string& fallback) {
    return ttnn_device::runtime::config::choice(name.c_str(), accepted, fallback);
  });
  m.def("_device_count", [] { return static_cast<int>(device_count()); });
  m.def("_environment_error", [] { return ttnn_device::runtime::DeviceRegistry::instance().error(); });
  m.def("_board", [] { return board_dict(ttnn_device::runtime::DeviceRegistry::instance().board()); });
  // The board TTNN_DEVICE_BOARD / TTNN_DEVICE_DRAM_MB name, read without creating devices (the hardware
  // backend's emulator is set up from it before the backend is chosen).
  m.def("_environment_board", [] { return board_dict(ttnn_device::runtime::board_from_environment()); });
  m.def("_backend_name", [](int device) {
    check_device_index(device);
    return ttnn_device::runtime::DeviceRegistry::instance().device(device).backend_name();
  });
  m.def("_get_device", [] { return static_cast<int>(current_device()); });
  m.def("_set_device", [](int device) { set_current_device(device); });
  m.def("_synchronize", [](int device) {
    check_device_index(device);
    ttnn_device::runtime::DeviceRegistry::instance().device(device).synchronize();
  });
  m.def("_default_generator", [](int device) {
    return py::reinterpret_borrow<py::object>(THPGenerator_initDefaultGenerator(default_generator(device)));
  });
  m.def("_memory_stats", [](int device) { return memory_stats(device); });
  m.def("_reset_peak_memory_stats", [](int device) { caching_allocator().resetPeakStats(device); });
  m.def("_reset_accumulated_memory_stats", [](int device) { caching_allocator().resetAccumulatedStats(device); });
  m.def("_empty_cache", [] { caching_allocator().emptyCache(); });
  m.def("_inject_out_of_memory", [](int64_t nth) { inject_out_of_memory(nth); });
  m.def("_block_acquisitions", [] { return block_acquisitions(); });
  m.def("_set_address_window_limit", [](uint64_t bytes) { set_address_window_limit(bytes); });
  m.def("_memory_snapshot", [](int device) {
    py::list out;
    for (const auto& b : memory_snapshot(static_cast<c10::DeviceIndex>(device))) {
      py::dict d;
      d["address"] = b.address;
      d["size"] = b.size;
      d["requested_size"] = b.requested;
      d["active"] = b.active;
      out.append(d);
    }
    return out;
  });
  m.def("_mem_get_info", [](int device) { return caching_allocator().getMemoryInfo(device); });
  m.def("_fallback_counts", [] { return fallback_counts(); });
  m.def("_reset_fallback_counts", [] { reset_fallback_counts(); });
  m.def("_fallback_reasons", [] { return fallback_reasons(); });
  m.def("_get_fallback_mode", [] { return std::string(to_string(fallback_mode())); });
  m.def("_set_fallback_mode", [](const std::string& mode) { set_fallback_mode(parse_fallback_mode(mode)); });
  m.def("_transfer_counts", [] { return transfer_dict(); });
  m.def("_reset_transfer_counts", [] { reset_transfer_counts(); });
  m.def("_pinned_host_stats", [] {
    const auto s = pinned_host_stats();
    py::dict d;
    d["blocks"] = s.blocks;
    d["bytes"] = s.bytes;
    d["locked_bytes"] = s.locked_bytes;
    return d;
  });
  // For the tests of the host mirrors: the CPU view an op that only reads `t` would get (None without one).
  m.def("_host_mirror_view", [](const at::Tensor& t) -> py::object {
    at::Tensor view = mirrored_view(t);
    return view.defined() ? py::cast(view) : py::none();
  });
  // ttnn_device.profile(): the event log, handed over as (kind, name, detail, bytes, start_ns, end_ns).
  m.def("_profile_start", [] { profile_log::start(); });
  m.def("_profile_size", [] { return profile_log::size(); });
  m.def("_profile_stop", [] {
    static const char* kinds[] = {"vocab", "fallback", "host_to_device", "device_to_host"};
    py::list out;
    for (const auto& e : profile_log::stop()) {
      out.append(py::make_tuple(kinds[static_cast<int>(e.kind)], e.name, e.detail, e.bytes, e.start_ns, e.end_ns));
    }
    return out;
  });
  m.def("_physical_format", [](const at::Tensor& t) {
    const auto f = physical_format_of(t);
    py::dict d;
    d["layout"] = f.layout;
    d["data_type"] = f.data_type;
    d["shape"] = f.shape;
    d["padded_shape"] = f.padded_shape;
    d["physical_bytes"] = f.physical_bytes;
    d["logical_bytes"] = f.logical_bytes;
    return d;
  });
  m.def("_set_physical_format", [](const at::Tensor& t, const std::string& layout, const std::string& data_type) {
    set_physical_format(t, layout, data_type);
  });
  bind_formats(m);
  ttnn_device::ops::bind_ops(m);
  ttnn_device::ops::hw::bind_hardware(m);
  ttnn_device::aten::bind_call_op(m);
}
