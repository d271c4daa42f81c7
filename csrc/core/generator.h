// The ttnn random generator. Random ops that run on the CPU (the fallback) draw from a CPU generator
// owned by the ttnn generator, so torch.ttnn.manual_seed / get_rng_state steer them reproducibly.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>

#include <memory>

namespace ttnn_device::core {

// The newer part of a generator's engine state held elsewhere (the CPU engine's stream computed on the
// device keeps its state there between draws): `catch_up` writes it into the host engine.
struct PendingEngine {
  virtual ~PendingEngine() = default;
  virtual void catch_up(at::CPUGeneratorImpl& engine) = 0;
};

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
  // The CPU generator that CPU kernels running for this device use, its engine up to date (see
  // PendingEngine). Call with this generator's mutex held.
  const at::Generator& cpu_generator() const;
  // The engine state a device stream left ahead of the host engine (null if none); holding one makes the
  // host engine stale until it is read through cpu_generator(). Re-seeding or setting the state drops it.
  const std::shared_ptr<PendingEngine>& pending_engine() const { return pending_; }
  void set_pending_engine(std::shared_ptr<PendingEngine> pending) { pending_ = std::move(pending); }

 private:
  TtnnGenerator* clone_impl() const override;
  void catch_up() const;
  at::Generator cpu_;
  mutable std::shared_ptr<PendingEngine> pending_;
};

const at::Generator& default_generator(c10::DeviceIndex device);
at::Generator new_generator(c10::DeviceIndex device);
// For a generator argument of an op run on the CPU on behalf of ttnn: the CPU generator to use instead.
at::Generator cpu_generator_for(const std::optional<at::Generator>& generator, c10::DeviceIndex device);

}  // namespace ttnn_device::core
