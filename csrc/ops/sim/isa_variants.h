// One loop compiled for the widest vectors the CPU has. The extension is built for the baseline x86-64
// (SSE2), where the reference device's elementwise and (un)tilize loops run at a fraction of memory speed;
// function-level targets keep the rest of the build portable. `K::run` must be always-inline, so that it
// compiles into each variant for that variant's target; `widest` picks one from what the CPU reports.
#pragma once

namespace ttnn_device::ops::sim {

#if defined(__x86_64__) && defined(__GNUC__)
template <class K, class... Ts>
__attribute__((target("avx512f,avx512bw"))) void avx512_variant(Ts... xs) {
  K::run(xs...);
}
template <class K, class... Ts>
__attribute__((target("avx2"))) void avx2_variant(Ts... xs) {
  K::run(xs...);
}
#endif
template <class K, class... Ts>
void baseline_variant(Ts... xs) {
  K::run(xs...);
}

// Call once and keep the pointer: the CPU's features do not change.
template <class K, class... Ts>
auto widest() -> void (*)(Ts...) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return avx512_variant<K, Ts...>;
  if (__builtin_cpu_supports("avx2")) return avx2_variant<K, Ts...>;
#endif
  return baseline_variant<K, Ts...>;
}

}  // namespace ttnn_device::ops::sim
