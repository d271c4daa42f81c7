// The reference device's reductions: fp32 accumulation over the logical elements (padding never takes
// part), output in the input's data type, TILE (argmax: UINT32 ROW_MAJOR).
#include <ATen/ATen.h>

#include <algorithm>

#include "ops/dispatch.h"
#include "ops/sim/host.h"

namespace ttnn_device::ops::sim {
namespace {

std::vector<int64_t> dims_of(const Args& args, int64_t rank) {
  if (!args.has("dim")) {
    std::vector<int64_t> all(rank);
    for (int64_t i = 0; i < rank; ++i) all[i] = i;
    return all;
  }
  return args.ints("dim");
}

at::Tensor math_values(const TtTensor& t) {
  at::Tensor v = read(t);
  return at::isFloatingType(v.scalar_type()) ? v.to(c10::kFloat) : v;
}

// Variance in two fp32 passes, the mean and then the sum of squared deviations, as fp32 accumulation over
// the elements computes it (torch's var accumulates Welford's running moments in double: several times
// slower, and not what the card's fp32 reduction does). The divisor is max(0, n - correction), as torch's.
at::Tensor variance(const at::Tensor& v, c10::IntArrayRef dims, double correction, bool keepdim) {
  const at::Tensor mean = at::mean(v, dims, /*keepdim=*/true);
  int64_t n = 1;
  if (dims.empty()) {
    n = v.numel();
  } else {
    for (int64_t d : dims) n *= v.size(d);
  }
  const double divisor = std::max(0.0, static_cast<double>(n) - correction);
  return at::sum(at::square(v - mean), dims, keepdim).div_(divisor);
}

using ReduceFn = at::Tensor (*)(const at::Tensor& v, c10::IntArrayRef dims, bool keepdim, const Args& args);

template <ReduceFn fn>
std::vector<TtTensor> reduce(const char* op, const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  at::Tensor v = math_values(x);
  const auto dims = dims_of(args, v.dim());
  at::Tensor result = fn(v, dims, args.flag("keepdim", false), args);
  return {store(result, x.device(), output_layout(op, x.layout), x.dtype)};
}

#define TTNN_SIM_REDUCE(name, expr)                                                                   \
  at::Tensor name##_fn(const at::Tensor& v, c10::IntArrayRef dims, bool keepdim, const Args& args) { \
    (void)args;                                                                                       \
    return expr;                                                                                      \
  }                                                                                                   \
  std::vector<TtTensor> name##_impl(const Args& args) { return reduce<name##_fn>(#name, args); }

TTNN_SIM_REDUCE(sum, at::sum(v, dims, keepdim))
TTNN_SIM_REDUCE(mean, at::mean(v, dims, keepdim))
TTNN_SIM_REDUCE(max, v.dim() == 0 ? v.clone() : at::amax(v, dims, keepdim))
TTNN_SIM_REDUCE(min, v.dim() == 0 ? v.clone() : at::amin(v, dims, keepdim))
TTNN_SIM_REDUCE(var, variance(v, dims, args.number("correction", 1.0), keepdim))
TTNN_SIM_REDUCE(std, at::sqrt(variance(v, dims, args.number("correction", 1.0), keepdim)))
#undef TTNN_SIM_REDUCE

std::vector<TtTensor> prod_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  at::Tensor v = math_values(x);
  at::Tensor result = args.has("dim") ? at::prod(v, args.integer("dim"), args.flag("keepdim", false)) : at::prod(v);
  return {store(result, x.device(), output_layout("prod", x.layout), x.dtype)};
}

std::vector<TtTensor> argmax_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  at::Tensor v = math_values(x);
  std::optional<int64_t> dim;
  if (args.has("dim")) dim = args.integer("dim");
  at::Tensor result = at::argmax(v, dim, args.flag("keepdim", false));
  return {store(result, x.device(), Layout::ROW_MAJOR, DataType::UINT32)};
}

std::vector<TtTensor> cumsum_impl(const Args& args) {
  const TtTensor& x = args.tensor("input");
  const DataType dtype = output_dtype(args, x.dtype);
  at::Tensor v = math_values(x);
  at::Tensor result = at::cumsum(v, args.integer("dim"), at::isFloatingType(v.scalar_type()) ? c10::kFloat : c10::kLong);
  return {store(result, x.device(), output_layout("cumsum", x.layout), dtype)};
}

std::vector<TtTensor> cumprod_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  at::Tensor result = at::cumprod(read(x).to(c10::kFloat), args.integer("dim"));
  return {store(result, x.device(), output_layout("cumprod", x.layout), output_dtype(args, x.dtype))};
}

// Sorting: values in the input's data type, indices UINT32 ROW_MAJOR (as TT-NN returns them), computed as
// TT-NN's golden functions do (torch.topk, torch.sort with the call's stability), on the stored values.
std::vector<TtTensor> sorted(const TtTensor& x, const at::Tensor& values, const at::Tensor& indices) {
  return {store(values, x.device(), x.layout, x.dtype), store(indices.to(c10::kInt), x.device(), Layout::ROW_MAJOR, DataType::UINT32)};
}

std::vector<TtTensor> topk_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  auto [values, indices] = at::topk(read(x), args.integer("k"), args.integer("dim", -1), args.flag("largest", true),
                                    args.flag("sorted", true));
  return sorted(x, values, indices);
}

std::vector<TtTensor> sort_impl(const Args& args) {
  const TtTensor& x = args.tensor("input_tensor");
  auto [values, indices] = at::sort(read(x), args.flag("stable", false), args.integer("dim", -1), args.flag("descending", false));
  return sorted(x, values, indices);
}

const bool registered = [] {
  register_impls("sim", {{"sum", sum_impl}, {"mean", mean_impl}, {"max", max_impl}, {"min", min_impl},
                         {"var", var_impl}, {"std", std_impl}, {"prod", prod_impl}, {"argmax", argmax_impl},
                         {"cumsum", cumsum_impl}, {"cumprod", cumprod_impl}, {"topk", topk_impl},
                         {"sort", sort_impl}});
  return true;
}();

}  // namespace
}  // namespace ttnn_device::ops::sim
