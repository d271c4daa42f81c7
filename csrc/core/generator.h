// The ttnn random generator. Random ops that run on the CPU (the fallback) draw from a CPU generator
// owned by the ttnn generator, so torch.ttnn.manual_seed / get_rng_state steer them reproducibly.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>

namespace ttnn_device::core {

class TtnnGenerator final : public c10::GeneratorImpl {
 public:
  explicit TtnnGenerator(c10::DeviceIndex device, uint64_t seed = c10::default_rng_seed_val);
  void set_current_seed(uint64_t seed) override;
  void set_offset(uint64_t offset) override;
  uint64_t get_offset() const override;
  uint64_t current_seed() const override;
  uint64_t seed() override;
  void set_state(const c10::TensorImpl& new_state) override;
  c10::intrusive_ptr<c10::TensorImpl> get_state() const override;
  static c10::DeviceType device_type() { return c10::DeviceType::PrivateUse1; }
  // The CPU generator that CPU kernels running for this device use.
  const at::Generator& cpu_generator() const { return cpu_; }

 private:
  TtnnGenerator* clone_impl() const override;
  at::Generator cpu_;
};

const at::Generator& default_generator(c10::DeviceIndex device);
at::Generator new_generator(c10::DeviceIndex device);
// For a generator argument of an op run on the CPU on behalf of ttnn: the CPU generator to use instead.
at::Generator cpu_generator_for(const std::optional<at::Generator>& generator, c10::DeviceIndex device);

}  // namespace ttnn_device::core
