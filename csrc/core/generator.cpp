#include "core/generator.h"

#include <mutex>
#include <vector>

#include "core/device_state.h"

namespace ttnn_device::core {

TtnnGenerator::TtnnGenerator(c10::DeviceIndex device, uint64_t seed)
    : c10::GeneratorImpl(c10::Device(c10::DeviceType::PrivateUse1, device),
                         c10::DispatchKeySet(c10::DispatchKey::PrivateUse1)),
      cpu_(at::make_generator<at::CPUGeneratorImpl>(seed)) {}

void TtnnGenerator::catch_up() const {
  if (!pending_) return;
  std::shared_ptr<PendingEngine> pending = std::move(pending_);
  pending_.reset();
  pending->catch_up(*cpu_.get<at::CPUGeneratorImpl>());
}

const at::Generator& TtnnGenerator::cpu_generator() const {
  catch_up();
  return cpu_;
}

// A new seed or state replaces whatever a device stream held; reads see the caught-up host engine.
void TtnnGenerator::set_current_seed(uint64_t seed) {
  pending_.reset();
  cpu_.set_current_seed(seed);
}
void TtnnGenerator::set_offset(uint64_t offset) {
  catch_up();
  cpu_.set_offset(offset);
}
uint64_t TtnnGenerator::get_offset() const {
  catch_up();
  return cpu_.get_offset();
}
uint64_t TtnnGenerator::current_seed() const { return cpu_.current_seed(); }
uint64_t TtnnGenerator::seed() {
  pending_.reset();
  return cpu_.seed();
}
void TtnnGenerator::set_state(const c10::TensorImpl& new_state) {
  pending_.reset();
  cpu_.unsafeGetGeneratorImpl()->set_state(new_state);
}
c10::intrusive_ptr<c10::TensorImpl> TtnnGenerator::get_state() const {
  catch_up();
  return cpu_.unsafeGetGeneratorImpl()->get_state();
}

TtnnGenerator* TtnnGenerator::clone_impl() const {
  catch_up();
  auto* copy = new TtnnGenerator(device().index());
  copy->cpu_ = cpu_.clone();
  return copy;
}

const at::Generator& default_generator(c10::DeviceIndex device) {
  static std::once_flag once;
  static std::vector<at::Generator> generators;
  std::call_once(once, [] {
    for (c10::DeviceIndex i = 0; i < device_count(); ++i) {
      generators.push_back(at::make_generator<TtnnGenerator>(i));
    }
  });
  const c10::DeviceIndex index = device < 0 ? current_device() : device;
  check_device_index(index);
  return generators[index];
}

at::Generator new_generator(c10::DeviceIndex device) {
  const c10::DeviceIndex index = device < 0 ? current_device() : device;
  check_device_index(index);
  return at::make_generator<TtnnGenerator>(index);
}

at::Generator cpu_generator_for(const std::optional<at::Generator>& generator, c10::DeviceIndex device) {
  const at::Generator& source = (generator.has_value() && generator->defined()) ? *generator : default_generator(device);
  if (source.device().type() == c10::DeviceType::CPU) return source;
  auto* ttnn = dynamic_cast<TtnnGenerator*>(source.unsafeGetGeneratorImpl());
  TORCH_CHECK(ttnn, "expected a ttnn or cpu generator, got one for ", source.device());
  std::lock_guard<std::mutex> lock(ttnn->mutex_);
  return ttnn->cpu_generator();
}

}  // namespace ttnn_device::core
