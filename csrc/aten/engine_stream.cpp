#include "aten/engine_stream.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/MT19937RNGEngine.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "core/generator.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

constexpr int64_t kStateWords = at::MERSENNE_STATE_N;  // 624
constexpr int64_t kShift = at::MERSENNE_STATE_M;       // 397
// New words depend on words at least kStateWords - kShift back, so that many come out of one step.
constexpr int64_t kBlock = kStateWords - kShift;  // 227

// INT32 bit patterns of the engine's 32-bit constants.
constexpr double kMatrixA = static_cast<double>(static_cast<int32_t>(0x9908b0dfu));
constexpr double kTemperB = static_cast<double>(static_cast<int32_t>(0x9d2c5680u));
constexpr double kTemperC = static_cast<double>(static_cast<int32_t>(0xefc60000u));

TtTensor call(const char* op, const TtTensor& a, const ops::Value& b) {
  return ops::call1(op, {{"input_tensor_a", a}, {"input_tensor_b", b}});
}

TtTensor slice(const TtTensor& t, int64_t begin, int64_t end) {
  return ops::call1("slice", {{"input_tensor", t}, {"starts", std::vector<int64_t>{begin}},
                              {"ends", std::vector<int64_t>{end}}});
}

TtTensor concat(const std::vector<TtTensor>& pieces) {
  return pieces.size() == 1 ? pieces.front() : ops::call1("concat", {{"tensors", pieces}, {"dim", int64_t{0}}});
}

// x >> bits as unsigned 32-bit numbers (TT-NN's INT32 shift is arithmetic: the sign copies are masked off).
TtTensor shift_down(const TtTensor& x, int bits) {
  return call("bitwise_and", call("bitwise_right_shift", x, static_cast<double>(bits)),
              static_cast<double>((int64_t{1} << (32 - bits)) - 1));
}

// One step of the recurrence for a block of new words: x[n] = x[n - 227] ^ twist(x[n - 624], x[n - 623]),
// twist(a, b) = (top bit of a, low 31 bits of b) >> 1, xored with the matrix when b is odd. `window` holds
// the last 624 words.
TtTensor next_words(const TtTensor& window, int64_t count) {
  const TtTensor a = slice(window, 0, count), b = slice(window, 1, count + 1);
  const TtTensor top = call("bitwise_and", call("bitwise_right_shift", a, 1.0), static_cast<double>(1 << 30));
  const TtTensor rest = call("bitwise_and", call("bitwise_right_shift", b, 1.0), static_cast<double>((1 << 30) - 1));
  const TtTensor odd = ops::call1("neg", {{"input_tensor", call("bitwise_and", b, 1.0)}});  // all ones when odd
  const TtTensor twisted = call("bitwise_xor", call("bitwise_or", top, rest), call("bitwise_and", odd, kMatrixA));
  return call("bitwise_xor", twisted, slice(window, kShift, kShift + count));
}

TtTensor temper(TtTensor y) {
  y = call("bitwise_xor", y, shift_down(y, 11));
  y = call("bitwise_xor", y, call("bitwise_and", call("bitwise_left_shift", y, 7.0), kTemperB));
  y = call("bitwise_xor", y, call("bitwise_and", call("bitwise_left_shift", y, 15.0), kTemperC));
  return call("bitwise_xor", y, shift_down(y, 18));
}

// The engine as it stands on the device: its 624 state words (untempered, INT32 [624]) and the host
// engine's bookkeeping (seed, position) with stale state words.
struct DeviceEngine final : core::PendingEngine {
  TtTensor state;
  at::mt19937_data_pod data;
  c10::Device device;

  DeviceEngine(const at::mt19937_data_pod& host, c10::Device on) : data(host), device(on) {
    at::Tensor words = at::from_blob(data.state_.data(), {kStateWords}, at::kInt).to(device);
    state = to_tt(words);
  }

  void catch_up(at::CPUGeneratorImpl& engine) override {
    const at::Tensor words = wrap(state, at::kInt, {kStateWords}).cpu();  // the one read of the state
    std::copy_n(words.data_ptr<int32_t>(), kStateWords, reinterpret_cast<int32_t*>(data.state_.data()));
    at::mt19937 host;
    host.set_data(data);
    engine.set_engine(host);
  }

  // The next `count` words, as at::mt19937's operator() gives them: the rest of the current state,
  // then whole new states made a block at a time.
  TtTensor draw(int64_t count) {
    std::vector<TtTensor> out;
    const int64_t left = data.left_ - 1;  // state words not yet handed out
    const int64_t taken = std::min(left, count);
    if (taken > 0) out.push_back(slice(state, data.next_, data.next_ + taken));
    if (taken == count) {
      data.next_ += static_cast<uint32_t>(taken);
      data.left_ -= static_cast<int>(taken);
      return temper(concat(out));
    }
    const int64_t wanted = count - taken;
    const int64_t states = (wanted + kStateWords - 1) / kStateWords;
    TtTensor window = state;
    std::vector<TtTensor> made;
    for (int64_t done = 0; done < states * kStateWords;) {
      const int64_t n = std::min(kBlock, states * kStateWords - done);
      TtTensor block = next_words(window, n);
      window = concat({slice(window, n, kStateWords), block});
      made.push_back(block);
      done += n;
    }
    state = window;  // after whole states the window is the last state
    const int64_t used = wanted - (states - 1) * kStateWords;
    data.next_ = static_cast<uint32_t>(used);
    data.left_ = static_cast<int>(kStateWords - used + 1);
    out.push_back(slice(concat(made), 0, wanted));
    return temper(concat(out));
  }
};

}  // namespace

TtTensor engine_words(const std::optional<at::Generator>& generator, c10::Device device, int64_t count) {
  const at::Generator& source =
      (generator.has_value() && generator->defined()) ? *generator : core::default_generator(device.index());
  if (auto* ttnn = dynamic_cast<core::TtnnGenerator*>(source.unsafeGetGeneratorImpl())) {
    std::lock_guard<std::mutex> lock(ttnn->mutex_);
    auto engine = std::dynamic_pointer_cast<DeviceEngine>(ttnn->pending_engine());
    if (!engine || engine->device != device) {
      const at::Generator& host = ttnn->cpu_generator();  // caught up
      engine = std::make_shared<DeviceEngine>(host.get<at::CPUGeneratorImpl>()->engine().data(), device);
    }
    TtTensor words = engine->draw(count);
    ttnn->set_pending_engine(std::move(engine));
    return words;
  }
  // A CPU generator passed to a ttnn op: it is not ours to leave stale, so it catches up at once.
  auto* cpu = source.get<at::CPUGeneratorImpl>();
  std::lock_guard<std::mutex> lock(cpu->mutex_);
  DeviceEngine engine(cpu->engine().data(), device);
  TtTensor words = engine.draw(count);
  engine.catch_up(*cpu);
  return words;
}

TtTensor engine_exponential(const std::optional<at::Generator>& generator, c10::Device device,
                            const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  const TtTensor pairs = ops::call1("reshape", {{"input_tensor", engine_words(generator, device, 2 * n)},
                                                {"shape", std::vector<int64_t>{n, 2}}});
  auto column = [&](int64_t k) {
    TtTensor c = ops::call1("slice", {{"input_tensor", pairs}, {"starts", std::vector<int64_t>{0, k}},
                                      {"ends", std::vector<int64_t>{n, k + 1}}});
    return ops::call1("reshape", {{"input_tensor", c}, {"shape", std::vector<int64_t>{n}}});
  };
  // u = (high word's low 21 bits * 2^32 + low word) / 2^53, as the CPU's random64 makes a double uniform.
  const TtTensor high = call("bitwise_and", column(0), static_cast<double>((1 << 21) - 1));
  const TtTensor low = column(1);
  auto as_float = [](const TtTensor& t) { return cast(t, DataType::FLOAT32); };
  // A 32-bit word as a float in two exact parts (24 high bits, 8 low), scaled by 2^-53.
  auto word_fraction = [&](const TtTensor& w) {
    const TtTensor top = call("multiply", as_float(shift_down(w, 8)), 0x1p-45);
    return call("add", top, call("multiply", as_float(call("bitwise_and", w, 255.0)), 0x1p-53));
  };
  const TtTensor u = call("add", call("multiply", as_float(high), 0x1p-21), word_fraction(low));
  // 1 - u formed exactly the same way: ((2^21 - 1 - high) * 2^32 + (2^32 - low)) / 2^53, with 2^32 - low
  // as ~low + 1; log1p(-u) keeps the precision of small draws, log(1 - u) that of draws near 1.
  const TtTensor high_rest = call("bitwise_xor", high, static_cast<double>((1 << 21) - 1));  // 2^21 - 1 - high
  const TtTensor rest = call("add", call("add", call("multiply", as_float(high_rest), 0x1p-21),
                                         word_fraction(ops::call1("bitwise_not", {{"input_tensor", low}}))),
                             0x1p-53);
  const TtTensor small = ops::call1("neg", {{"input_tensor", ops::call1("log1p", {{"input_tensor", ops::call1("neg", {{"input_tensor", u}})}})}});
  const TtTensor large = ops::call1("neg", {{"input_tensor", ops::call1("log", {{"input_tensor", rest}})}});
  const TtTensor draws = ops::call1("where", {{"predicate", call("lt", u, 0.5)}, {"true_value", small}, {"false_value", large}});
  return ops::call1("reshape", {{"input_tensor", draws}, {"shape", shape}});
}

}  // namespace ttnn_device::aten
