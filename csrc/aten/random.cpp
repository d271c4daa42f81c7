// Random kernels: uniform_, normal_, bernoulli_ and dropout with its gradient through TT-NN's random ops
// (rand, randn), each call seeded from the device's generator (or the one passed), so torch.manual_seed /
// torch.ttnn.manual_seed make runs reproducible, with the device's own values (as on CUDA).
// exponential_ and multinomial (sampling in generate()) draw from the generator's CPU engine computed on
// the device (engine_stream.h): the CPU's draws for the same seed, so generate() samples the CPU's tokens.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/library.h>

#include <limits>
#include <mutex>

#include "aten/engine_stream.h"
#include "aten/operands.h"
#include "core/generator.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// TT-NN's random ops take a 32-bit seed (0 asks for a random one, so it is never passed).
int64_t next_seed(const std::optional<at::Generator>& generator, c10::Device device) {
  at::Generator source = core::cpu_generator_for(generator, device.index());
  std::lock_guard<std::mutex> lock(source.mutex());
  const uint32_t seed = source.get<at::CPUGeneratorImpl>()->random();
  return seed == 0 ? 1 : static_cast<int64_t>(seed);
}

std::vector<int64_t> shape_of(const at::Tensor& t) { return t.dim() == 0 ? std::vector<int64_t>{1} : t.sizes().vec(); }

// Uniform values in [low, high) of t's shape, FLOAT32.
TtTensor uniform_values(const at::Tensor& t, double low, double high, const std::optional<at::Generator>& generator) {
  return ops::call1("rand", {{"shape", shape_of(t)}, {"dtype", DataType::FLOAT32}, {"layout", Layout::TILE},
                             {"device", static_cast<int64_t>(t.device().index())}, {"low", low}, {"high", high},
                             {"seed", next_seed(generator, t.device())}});
}

void check_floating(const at::Tensor& self, const char* what) {
  device_of({&self});
  if (!at::isFloatingType(self.scalar_type())) decline(std::string(what) + " of a non-float tensor");
  math_type(self.scalar_type());
}

at::Tensor& fill_from(at::Tensor& self, const TtTensor& values) {
  if (self.numel() > 0) write_into(self, cast(values, math_type(self.scalar_type())));
  return self;
}

at::Tensor& uniform(at::Tensor& self, double from, double to, std::optional<at::Generator> generator) {
  check_floating(self, "uniform_");
  if (self.numel() == 0) return self;
  return fill_from(self, uniform_values(self, from, to, generator));
}

at::Tensor& normal(at::Tensor& self, double mean, double std, std::optional<at::Generator> generator) {
  check_floating(self, "normal_");
  TORCH_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  if (self.numel() == 0) return self;
  TtTensor z = ops::call1("randn", {{"shape", shape_of(self)}, {"dtype", DataType::FLOAT32}, {"layout", Layout::TILE},
                                    {"device", static_cast<int64_t>(self.device().index())},
                                    {"seed", next_seed(generator, self.device())}});
  TtTensor scaled = ops::call1("multiply", {{"input_tensor_a", z}, {"input_tensor_b", std}});
  return fill_from(self, ops::call1("add", {{"input_tensor_a", scaled}, {"input_tensor_b", mean}}));
}

// Exp(lambd) draws of t's shape, FLOAT32, from the CPU generator's engine run on the device
// (engine_stream.h): the CPU's exponential_ values for the same seed.
TtTensor exponential_values(const at::Tensor& t, double lambd, const std::optional<at::Generator>& generator) {
  const TtTensor draws = engine_exponential(generator, t.device(), shape_of(t));
  return lambd == 1.0 ? draws : ops::call1("multiply", {{"input_tensor_a", draws}, {"input_tensor_b", 1.0 / lambd}});
}

at::Tensor& exponential(at::Tensor& self, double lambd, std::optional<at::Generator> generator) {
  check_floating(self, "exponential_");
  TORCH_CHECK(lambd > 0.0, "exponential_ expects lambda > 0.0, but found lambda=", lambd);
  if (self.numel() == 0) return self;
  return fill_from(self, exponential_values(self, lambd, generator));
}

// Category indices drawn from the rows of `probs` (1-d or 2-d, unnormalised weights). One sample, or
// several without replacement: the largest p / q for q ~ Exp(1) in probs' dtype (the exponential race
// with the CPU kernel's draws, so the CPU's samples); several with replacement: how many entries of the
// row's running sum lie at or below a uniform draw scaled to the row's total (inverse CDF, TT-NN's rand:
// not the CPU's samples). Rows that are no distribution (negative,
// non-finite or all zero) are not refused: that would read every row back per call.
at::Tensor multinomial(const at::Tensor& probs, int64_t samples, bool replacement, std::optional<at::Generator> generator) {
  check_floating(probs, "multinomial");
  TORCH_CHECK(probs.dim() == 1 || probs.dim() == 2, "prob_dist must be 1 or 2 dim");
  const int64_t categories = probs.size(-1);
  TORCH_CHECK(samples > 0, "cannot sample n_sample <= 0 samples");
  TORCH_CHECK(replacement || samples <= categories,
              "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  if (probs.numel() == 0) decline("multinomial of an empty distribution");
  if (!replacement || samples == 1) {
    at::Tensor q = at::empty_like(probs, at::MemoryFormat::Contiguous);
    at::Tensor race = probs / exponential(q, 1.0, generator);
    return samples == 1 ? race.argmax(-1, /*keepdim=*/true) : std::get<1>(race.topk(samples, -1));
  }
  const at::Tensor p = probs.to(at::kFloat);
  const at::Tensor running = p.cumsum(-1);
  std::vector<int64_t> draw_sizes = p.sizes().vec();
  draw_sizes.back() = samples;
  at::Tensor u = at::empty(draw_sizes, p.options());
  const at::Tensor threshold = (uniform(u, 0.0, 1.0, generator) * running.narrow(-1, categories - 1, 1)).unsqueeze(-1);
  // Counted in FLOAT32 (exact below 2^24 categories), where clamping is a vocabulary op.
  const at::Tensor below = running.unsqueeze(-2).le(threshold).to(at::kFloat).sum(-1);
  return below.clamp_max(static_cast<double>(categories - 1)).to(at::kInt).to(at::kLong);
}

// 1 where a uniform draw falls below p (a number or a FLOAT32 tensor of self's shape), else 0.
at::Tensor& bernoulli_with(at::Tensor& self, const ops::Value& probability, std::optional<at::Generator> generator) {
  TtTensor drawn = ops::call1("lt", {{"input_tensor_a", uniform_values(self, 0.0, 1.0, generator)}, {"input_tensor_b", probability}});
  write_into(self, cast(drawn, bits_type(self.scalar_type())));
  return self;
}

void check_bernoulli_target(const at::Tensor& self) {
  device_of({&self});
  if (!has_math_type(self.scalar_type()) && self.scalar_type() != c10::kBool) decline("bernoulli_ into this dtype");
}

at::Tensor& bernoulli_float(at::Tensor& self, double p, std::optional<at::Generator> generator) {
  check_bernoulli_target(self);
  TORCH_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  return self.numel() == 0 ? self : bernoulli_with(self, p, std::move(generator));
}

at::Tensor& bernoulli_tensor(at::Tensor& self, const at::Tensor& p, std::optional<at::Generator> generator) {
  check_bernoulli_target(self);
  device_of({&self, &p});
  if (self.numel() == 0) return self;
  return bernoulli_with(self, cast(to_tt(p.expand(self.sizes())), DataType::FLOAT32), std::move(generator));
}

at::Tensor bernoulli_of(const at::Tensor& p, std::optional<at::Generator> generator) {
  check_floating(p, "bernoulli");
  at::Tensor out = at::empty_like(p, at::MemoryFormat::Contiguous);
  return bernoulli_tensor(out, p, std::move(generator));
}

// dropout: keep each element with probability 1 - p, scaled by 1 / (1 - p); the mask (bool) is returned.
std::tuple<at::Tensor, at::Tensor> native_dropout(const at::Tensor& input, double p, std::optional<bool> train) {
  check_floating(input, "dropout");
  if (input.numel() == 0 || (train.has_value() && !*train) || p == 0.0) {
    decline("dropout that keeps everything");  // the CPU's copy: nothing random to compute
  }
  const double keep = 1.0 - p;
  const DataType type = math_type(input.scalar_type());
  TtTensor mask = ops::call1("lt", {{"input_tensor_a", uniform_values(input, 0.0, 1.0, std::nullopt)}, {"input_tensor_b", keep}});
  TtTensor x = cast(to_tt(input), DataType::FLOAT32);
  TtTensor kept = ops::call1("multiply", {{"input_tensor_a", ops::call1("multiply", {{"input_tensor_a", x}, {"input_tensor_b", mask}})},
                                          {"input_tensor_b", keep > 0.0 ? 1.0 / keep : 0.0}});
  const std::vector<int64_t> sizes = input.sizes().vec();
  return {wrap(cast(kept, type), input.scalar_type(), sizes), wrap(cast(mask, DataType::UINT8), c10::kBool, sizes)};
}

at::Tensor native_dropout_backward(const at::Tensor& grad, const at::Tensor& mask, double scale) {
  device_of({&grad, &mask});
  if (!at::isFloatingType(grad.scalar_type()) || grad.sizes() != mask.sizes()) decline("a dropout gradient of this shape or dtype");
  const DataType type = math_type(grad.scalar_type());
  TtTensor g = cast(to_tt(grad), DataType::FLOAT32);
  TtTensor m = cast(to_tt(mask), DataType::FLOAT32);
  TtTensor result = ops::call1("multiply", {{"input_tensor_a", ops::call1("multiply", {{"input_tensor_a", g}, {"input_tensor_b", m}})},
                                            {"input_tensor_b", scale}});
  return wrap(cast(result, type), grad.scalar_type(), grad.sizes().vec());
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("uniform_", ATEN_OP(uniform_), &uniform);
  TTNN_NATIVE("normal_", ATEN_OP(normal_), &normal);
  TTNN_NATIVE("bernoulli_.float", ATEN_OP2(bernoulli_, float), &bernoulli_float);
  TTNN_NATIVE("bernoulli_.Tensor", ATEN_OP2(bernoulli_, Tensor), &bernoulli_tensor);
  TTNN_NATIVE("bernoulli", ATEN_OP(bernoulli), &bernoulli_of);
  TTNN_NATIVE("exponential_", ATEN_OP(exponential_), &exponential);
  TTNN_NATIVE("multinomial", ATEN_OP(multinomial), &multinomial);
  TTNN_NATIVE("native_dropout", ATEN_OP(native_dropout), &native_dropout);
  TTNN_NATIVE("native_dropout_backward", ATEN_OP(native_dropout_backward), &native_dropout_backward);
}

}  // namespace
}  // namespace ttnn_device::aten
