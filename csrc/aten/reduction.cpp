// Reduction kernels: sum, mean, prod, amax/amin, max/min (values and indices), argmax/argmin, var/std
// (and their _mean forms), vector norms, all/any, cumsum. Each is computed in the input's memory order
// (a channels-last input is not permuted first); the reduced dims are kept through the TT-NN op and
// squeezed away as a view afterwards.
#include <ATen/ATen.h>
#include <torch/library.h>

#include <cmath>

#include "aten/int64_math.h"
#include "aten/operands.h"
#include "ops/dispatch.h"

namespace ttnn_device::aten {
namespace {

// A reduction of `x` over `dims` (all dims when none are given), set up in x's memory order.
// A 0-d tensor reduces as its one element in a 1-d tensor (dim 0 or -1, as torch allows), back to 0-d.
struct Reduction {
  bool scalar;                       // a 0-d input
  at::Tensor x;                      // the input (1-d for a 0-d one)
  std::vector<int64_t> dims;         // logical dims reduced
  std::vector<int64_t> order;        // x's memory order
  std::vector<int64_t> memory_dims;  // the reduced dims as the TT tensor numbers them
  TtTensor input;                    // x in memory order, in its math type

  // `as_stored`: reduce in the shape x's TILE buffer is stored in where its dims group x's (memory-order)
  // dims into runs that are all reduced or all kept (a channels-last [1, 1, H*W, C] convolution output
  // averaged over H and W is reduced over its H*W dim): re-tiling to x's own shape would be a layout
  // conversion. For reductions whose ops take the dims as a list (memory_dims then numbers stored dims).
  Reduction(const at::Tensor& t_in, at::OptionalIntArrayRef dims_in, bool memory_layout = true, bool as_stored = false)
      : scalar(t_in.dim() == 0), x(t_in.dim() == 0 ? t_in.reshape({1}) : t_in) {
    const at::Tensor& t = x;
    device_of({&t});
    if (t.numel() == 0) decline("a reduction of an empty tensor");
    if (dims_in.has_value() && !dims_in->empty()) {
      for (int64_t d : *dims_in) dims.push_back(c10::maybe_wrap_dim(d, t.dim()));
    } else {
      for (int64_t d = 0; d < t.dim(); ++d) dims.push_back(d);
    }
    if (memory_layout) {
      const DimOrder in_memory = memory_order(t);
      order.assign(in_memory.begin(), in_memory.end());
    } else {
      for (int64_t d = 0; d < t.dim(); ++d) order.push_back(d);
    }
    for (int64_t d : dims) memory_dims.push_back(std::find(order.begin(), order.end(), d) - order.begin());
    const Borrowed ordered = in_order(t, t.dim(), order);
    if (as_stored && !scalar) {
      if (auto viewed = in_stored_shape({&*ordered}, ordered->sizes())) {
        if (auto grouped = stored_dims((*viewed)[0].sizes())) {
          memory_dims = std::move(*grouped);
          input = to_tt((*viewed)[0]);
          return;
        }
      }
    }
    input = to_tt(*ordered);
  }

  // The dims of `stored` (a factoring of x's memory-order sizes) that the reduction covers, if each one
  // groups memory-order dims of one kind (reduced or kept; size-1 dims fit either).
  std::optional<std::vector<int64_t>> stored_dims(c10::IntArrayRef stored) const {
    std::vector<std::pair<int64_t, bool>> spans;  // memory-order dims of size > 1: size, reduced
    for (size_t m = 0; m < order.size(); ++m) {
      const int64_t size = x.size(order[m]);
      if (size != 1) {
        spans.emplace_back(size, std::find(memory_dims.begin(), memory_dims.end(), static_cast<int64_t>(m)) != memory_dims.end());
      }
    }
    std::vector<int64_t> out;
    size_t next = 0;
    for (size_t j = 0; j < stored.size(); ++j) {
      if (stored[j] == 1) continue;
      int64_t product = 1;
      bool any_reduced = false, any_kept = false;
      while (product < stored[j] && next < spans.size()) {
        product *= spans[next].first;
        (spans[next].second ? any_reduced : any_kept) = true;
        ++next;
      }
      if (product != stored[j] || (any_reduced && any_kept)) return std::nullopt;
      if (any_reduced) out.push_back(static_cast<int64_t>(j));
    }
    if (next != spans.size() || out.empty()) return std::nullopt;
    return out;
  }

  ops::Args args(const TtTensor& t) const {
    return {{"input_tensor", t}, {"dim", memory_dims}, {"keepdim", true}};
  }

  std::vector<int64_t> kept() const {
    std::vector<int64_t> sizes(x.sizes().begin(), x.sizes().end());
    for (int64_t d : dims) sizes[d] = 1;
    return sizes;
  }

  // The torch tensor of a keepdim result (int64 results from TT-NN's 32-bit indices).
  at::Tensor finish(TtTensor result, c10::ScalarType dtype, bool keepdim) const {
    const auto sizes = kept();
    at::Tensor value = dtype == c10::kLong ? wrap_int64(result, sizes, strides_for(sizes, order))
                                           : wrap_in_order(std::move(result), dtype, sizes, order);
    if (scalar) return value.reshape({});
    return keepdim ? value : value.squeeze(dims);
  }
};

void check_floating(const at::Tensor& x, std::optional<c10::ScalarType> dtype, const char* what) {
  if (!at::isFloatingType(x.scalar_type()) || (dtype && *dtype != x.scalar_type())) {
    decline(std::string(what) + " of integers or into another dtype");  // torch accumulates integers in int64
  }
  math_type(x.scalar_type());
}

void check_ordered(const at::Tensor& x) {
  if (x.scalar_type() != c10::kFloat && x.scalar_type() != c10::kBFloat16 && x.scalar_type() != c10::kInt) {
    decline(std::string("a max/min of ") + c10::toString(x.scalar_type()));
  }
}

// sum, mean, max, min over dims.
at::Tensor reduce(const char* op, const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim) {
  Reduction r(x, dims, true, true);
  return r.finish(ops::call1(op, r.args(r.input)), x.scalar_type(), keepdim);
}

// Sums of bool and uint8 tensors (counts, mask lengths): torch accumulates them in int64, TT-NN in INT32,
// which is exact while no partial sum reaches 2^31; numel times the largest element bounds them all.
bool exact_count(const at::Tensor& x, std::optional<c10::ScalarType> dtype) {
  const c10::ScalarType t = x.scalar_type();
  if ((t != c10::kBool && t != c10::kByte) || (dtype && *dtype != c10::kLong)) return false;
  return static_cast<double>(x.numel()) * (t == c10::kBool ? 1.0 : 255.0) < 2147483648.0;
}

// Sums of integers into int64 (as torch sums them), exact for every int64 result: the reduced dims moved
// last and flattened, the int64 running sum along them (int64_cumsum, by 16-bit halves and carries), its
// last element.
at::Tensor integer_sum(const at::Tensor& x_in, at::OptionalIntArrayRef dims_in, bool keepdim) {
  device_of({&x_in});
  if (x_in.numel() == 0) decline("a sum of an empty integer tensor");
  const at::Tensor x = x_in.dim() == 0 ? x_in.reshape({1}) : x_in;
  std::vector<bool> reduced(x.dim(), !dims_in.has_value() || dims_in->empty());
  if (dims_in.has_value()) {
    for (int64_t d : *dims_in) reduced[c10::maybe_wrap_dim(d, x.dim())] = true;
  }
  std::vector<int64_t> order, kept_sizes, result_sizes;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (!reduced[d]) {
      order.push_back(d);
      kept_sizes.push_back(x.size(d));
    }
    if (!reduced[d] || keepdim) result_sizes.push_back(reduced[d] ? 1 : x.size(d));
  }
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (reduced[d]) order.push_back(d);
  }
  std::vector<int64_t> rows = kept_sizes;
  rows.push_back(-1);
  const at::Tensor moved = x.permute(order).reshape(rows).contiguous();
  const at::Tensor total = int64_cumsum(moved, moved.dim() - 1).select(-1, -1);
  return x_in.dim() == 0 ? total.reshape({}) : total.reshape(result_sizes);
}

at::Tensor sum_of(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype) {
  const c10::ScalarType t = x.scalar_type();
  const bool integral = at::isIntegralType(t, /*includeBool=*/true) && (t == c10::kLong || t == c10::kInt || t == c10::kByte || t == c10::kBool);
  if (integral && !exact_count(x, dtype) && (!dtype || *dtype == c10::kLong)) return integer_sum(x, dims, keepdim);
  if (exact_count(x, dtype)) {
    Reduction r(x, dims);
    return r.finish(ops::call1("sum", r.args(cast(r.input, DataType::INT32))), c10::kLong, keepdim);
  }
  check_floating(x, dtype, "a sum");
  return reduce("sum", x, dims, keepdim);
}
at::Tensor sum_dim(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype) {
  return sum_of(x, dims, keepdim, dtype);
}
at::Tensor& sum_out(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype,
                    at::Tensor& out) {
  return copy_out(out, sum_of(x, dims, keepdim, dtype.value_or(out.scalar_type())));
}
at::Tensor sum_all(const at::Tensor& x, std::optional<c10::ScalarType> dtype) {
  return sum_of(x, std::nullopt, false, dtype);
}
at::Tensor mean_dim(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype) {
  check_floating(x, dtype, "a mean");
  return reduce("mean", x, dims, keepdim);
}
at::Tensor& mean_out(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, std::optional<c10::ScalarType> dtype,
                     at::Tensor& out) {
  check_floating(x, dtype.value_or(out.scalar_type()), "a mean");
  return copy_out(out, reduce("mean", x, dims, keepdim));
}
at::Tensor amax(const at::Tensor& x, c10::IntArrayRef dims, bool keepdim) {
  check_ordered(x);
  return reduce("max", x, dims, keepdim);
}
// An out= of another dtype is an error the CPU kernel raises with torch's message.
void check_same_dtype_out(const at::Tensor& x, const at::Tensor& out) {
  if (out.scalar_type() != x.scalar_type()) decline("amax/amin into an out= of another dtype");
}
at::Tensor& amax_out(const at::Tensor& x, c10::IntArrayRef dims, bool keepdim, at::Tensor& out) {
  check_ordered(x);
  check_same_dtype_out(x, out);
  return copy_out(out, reduce("max", x, dims, keepdim));
}
at::Tensor amin(const at::Tensor& x, c10::IntArrayRef dims, bool keepdim) {
  check_ordered(x);
  return reduce("min", x, dims, keepdim);
}
at::Tensor& amin_out(const at::Tensor& x, c10::IntArrayRef dims, bool keepdim, at::Tensor& out) {
  check_ordered(x);
  check_same_dtype_out(x, out);
  return copy_out(out, reduce("min", x, dims, keepdim));
}
at::Tensor max_all(const at::Tensor& x) {
  if (x.scalar_type() == c10::kLong) return int64_extreme(x, true);
  check_ordered(x);
  return reduce("max", x, std::nullopt, false);
}
at::Tensor min_all(const at::Tensor& x) {
  if (x.scalar_type() == c10::kLong) return int64_extreme(x, false);
  check_ordered(x);
  return reduce("min", x, std::nullopt, false);
}

// prod: TT-NN reduces one dim or everything.
at::Tensor prod_all(const at::Tensor& x, std::optional<c10::ScalarType> dtype) {
  check_floating(x, dtype, "a product");
  Reduction r(x, std::nullopt, false);
  return r.finish(ops::call1("prod", {{"input_tensor", r.input}}), x.scalar_type(), true).reshape({});
}
at::Tensor prod_dim(const at::Tensor& x, int64_t dim, bool keepdim, std::optional<c10::ScalarType> dtype) {
  check_floating(x, dtype, "a product");
  Reduction r(x, at::IntArrayRef{dim});
  TtTensor result = ops::call1("prod", {{"input_tensor", r.input}, {"dim", r.memory_dims[0]}, {"keepdim", true}});
  return r.finish(result, x.scalar_type(), keepdim);
}

// argmax over one dim (or the flattened tensor); argmin is the argmax of the negation (first occurrence
// on ties and NaN winning in both, as torch has them).
at::Tensor arg_reduce(const at::Tensor& x, std::optional<int64_t> dim, bool keepdim, bool minimum) {
  if (x.scalar_type() != c10::kFloat && x.scalar_type() != c10::kBFloat16 &&
      (minimum || x.scalar_type() != c10::kInt)) {
    decline(std::string("an argmax/argmin of ") + c10::toString(x.scalar_type()));
  }
  // The flattened index is in logical order, so no memory-order permutation for dim=None.
  Reduction r(x, dim ? at::OptionalIntArrayRef(at::IntArrayRef{*dim}) : std::nullopt, dim.has_value());
  TtTensor values = minimum ? ops::call1("neg", {{"input_tensor", r.input}}) : r.input;
  if (!dim) {
    TtTensor flat = ops::call1("reshape", {{"input_tensor", values}, {"shape", std::vector<int64_t>{x.numel()}}});
    TtTensor index = ops::call1("argmax", {{"input_tensor", flat}, {"dim", int64_t{0}}, {"keepdim", true}});
    at::Tensor value = wrap_int64(index, {1});
    return keepdim && !r.scalar ? value.reshape(r.kept()) : value.reshape({});
  }
  TtTensor index = ops::call1("argmax", {{"input_tensor", values}, {"dim", r.memory_dims[0]}, {"keepdim", true}});
  return r.finish(index, c10::kLong, keepdim);
}
at::Tensor argmax(const at::Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_reduce(x, dim, keepdim, false); }
at::Tensor argmin(const at::Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_reduce(x, dim, keepdim, true); }

std::tuple<at::Tensor, at::Tensor> max_min_dim(const at::Tensor& x, int64_t dim, bool keepdim, bool minimum) {
  check_ordered(x);
  at::Tensor indices = arg_reduce(x, dim, keepdim, minimum);
  return {reduce(minimum ? "min" : "max", x, at::IntArrayRef{dim}, keepdim), indices};
}
std::tuple<at::Tensor, at::Tensor> max_dim(const at::Tensor& x, int64_t dim, bool keepdim) {
  return max_min_dim(x, dim, keepdim, false);
}
std::tuple<at::Tensor, at::Tensor> min_dim(const at::Tensor& x, int64_t dim, bool keepdim) {
  return max_min_dim(x, dim, keepdim, true);
}

// var and std with Bessel's correction (a real number in torch).
at::Tensor moment(const char* op, const at::Tensor& x, at::OptionalIntArrayRef dims,
                  const std::optional<at::Scalar>& correction, bool keepdim) {
  check_floating(x, std::nullopt, "a variance");
  Reduction r(x, dims, true, true);
  ops::Args args = r.args(r.input);
  args.set("correction", correction ? correction->toDouble() : 1.0);
  return r.finish(ops::call1(op, args), x.scalar_type(), keepdim);
}
at::Tensor var(const at::Tensor& x, at::OptionalIntArrayRef dims, const std::optional<at::Scalar>& correction, bool keepdim) {
  return moment("var", x, dims, correction, keepdim);
}
at::Tensor std_(const at::Tensor& x, at::OptionalIntArrayRef dims, const std::optional<at::Scalar>& correction, bool keepdim) {
  return moment("std", x, dims, correction, keepdim);
}
std::tuple<at::Tensor, at::Tensor> var_mean(const at::Tensor& x, at::OptionalIntArrayRef dims,
                                            const std::optional<at::Scalar>& correction, bool keepdim) {
  return {moment("var", x, dims, correction, keepdim), reduce("mean", x, dims, keepdim)};
}
std::tuple<at::Tensor, at::Tensor> std_mean(const at::Tensor& x, at::OptionalIntArrayRef dims,
                                            const std::optional<at::Scalar>& correction, bool keepdim) {
  return {moment("std", x, dims, correction, keepdim), reduce("mean", x, dims, keepdim)};
}

// Vector p-norms from TT-NN's elementwise ops and reductions.
at::Tensor vector_norm(const at::Tensor& x, const at::Scalar& ord_in, at::OptionalIntArrayRef dims, bool keepdim,
                       std::optional<c10::ScalarType> dtype) {
  check_floating(x, dtype, "a norm");
  const double ord = ord_in.toDouble();
  Reduction r(x, dims);
  const TtTensor magnitude = ops::call1("abs", {{"input_tensor", r.input}});
  TtTensor result;
  if (ord == 2.0) {
    result = ops::call1("sqrt", {{"input_tensor", ops::call1("sum", r.args(ops::call1("square", {{"input_tensor", r.input}})))}});
  } else if (ord == 1.0) {
    result = ops::call1("sum", r.args(magnitude));
  } else if (std::isinf(ord)) {
    result = ops::call1(ord > 0 ? "max" : "min", r.args(magnitude));
  } else if (ord > 0) {
    TtTensor powered = ops::call1("pow", {{"input_tensor", magnitude}, {"exponent", ord}});
    result = ops::call1("pow", {{"input_tensor", ops::call1("sum", r.args(powered))}, {"exponent", 1.0 / ord}});
  } else {
    decline("a vector norm of order <= 0");
  }
  return r.finish(result, x.scalar_type(), keepdim);
}

// any/all: the truth of each element (x != 0) as BFLOAT16 0/1, reduced by max/min.
at::Tensor truth_reduce(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim, bool all) {
  if (x.scalar_type() != c10::kBool && x.scalar_type() != c10::kFloat && x.scalar_type() != c10::kBFloat16 &&
      x.scalar_type() != c10::kInt) {
    decline(std::string("any/all of ") + c10::toString(x.scalar_type()));
  }
  Reduction r(x, dims);
  TtTensor truth = x.scalar_type() == c10::kBool
                       ? r.input
                       : ops::call1("ne", {{"input_tensor_a", r.input}, {"input_tensor_b", 0.0}});
  truth = cast(truth, DataType::BFLOAT16);
  TtTensor result = cast(ops::call1(all ? "min" : "max", r.args(truth)), DataType::UINT8);
  return r.finish(result, c10::kBool, keepdim);
}
at::Tensor any_all(const at::Tensor& x) { return truth_reduce(x, std::nullopt, false, false); }
at::Tensor all_all(const at::Tensor& x) { return truth_reduce(x, std::nullopt, false, true); }
at::Tensor any_dim(const at::Tensor& x, int64_t dim, bool keepdim) { return truth_reduce(x, at::IntArrayRef{dim}, keepdim, false); }
at::Tensor all_dim(const at::Tensor& x, int64_t dim, bool keepdim) { return truth_reduce(x, at::IntArrayRef{dim}, keepdim, true); }
at::Tensor any_dims(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim) { return truth_reduce(x, dims, keepdim, false); }
at::Tensor all_dims(const at::Tensor& x, at::OptionalIntArrayRef dims, bool keepdim) { return truth_reduce(x, dims, keepdim, true); }

// cumsum along one dim, in the input's memory order.
at::Tensor cumulative_sum(const at::Tensor& x, int64_t dim, std::optional<c10::ScalarType> dtype) {
  if (x.dim() == 0 || x.numel() == 0) decline("a cumulative sum of a 0-d or empty tensor");
  if (exact_count(x, dtype)) {  // running counts of a mask, as for sum
    Reduction r(x, at::IntArrayRef{dim});
    TtTensor result = ops::call1("cumsum", {{"input", cast(r.input, DataType::INT32)}, {"dim", r.memory_dims[0]}});
    return wrap_int64(result, x.sizes(), strides_for(x.sizes(), r.order));
  }
  const bool integral = at::isIntegralType(x.scalar_type(), /*includeBool=*/true) && x.scalar_type() != c10::kShort;
  if (integral && (!dtype || *dtype == c10::kLong)) {
    device_of({&x});
    return int64_cumsum(x.contiguous(), dim);  // torch sums integers in int64
  }
  check_floating(x, dtype, "a cumulative sum");
  Reduction r(x, at::IntArrayRef{dim});
  TtTensor result = ops::call1("cumsum", {{"input", r.input}, {"dim", r.memory_dims[0]}});
  return wrap_in_order(result, x.scalar_type(), x.sizes(), r.order);
}
at::Tensor& cumsum_out(const at::Tensor& x, int64_t dim, std::optional<c10::ScalarType> dtype, at::Tensor& out) {
  return copy_out(out, cumulative_sum(x, dim, dtype.value_or(out.scalar_type())));
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("sum.dim_IntList", ATEN_OP2(sum, dim_IntList), &sum_dim);
  TTNN_NATIVE("sum.IntList_out", ATEN_OP2(sum, IntList_out), &sum_out);
  TTNN_NATIVE("sum", ATEN_OP(sum), &sum_all);
  TTNN_NATIVE("mean.dim", ATEN_OP2(mean, dim), &mean_dim);
  TTNN_NATIVE("mean.out", ATEN_OP2(mean, out), &mean_out);
  TTNN_NATIVE("amax", ATEN_OP(amax), &amax);
  TTNN_NATIVE("amax.out", ATEN_OP2(amax, out), &amax_out);
  TTNN_NATIVE("amin", ATEN_OP(amin), &amin);
  TTNN_NATIVE("amin.out", ATEN_OP2(amin, out), &amin_out);
  TTNN_NATIVE("max", ATEN_OP(max), &max_all);
  TTNN_NATIVE("min", ATEN_OP(min), &min_all);
  TTNN_NATIVE("max.dim", ATEN_OP2(max, dim), &max_dim);
  TTNN_NATIVE("min.dim", ATEN_OP2(min, dim), &min_dim);
  TTNN_NATIVE("argmax", ATEN_OP(argmax), &argmax);
  TTNN_NATIVE("argmin", ATEN_OP(argmin), &argmin);
  TTNN_NATIVE("prod", ATEN_OP(prod), &prod_all);
  TTNN_NATIVE("prod.dim_int", ATEN_OP2(prod, dim_int), &prod_dim);
  TTNN_NATIVE("var.correction", ATEN_OP2(var, correction), &var);
  TTNN_NATIVE("std.correction", ATEN_OP2(std, correction), &std_);
  TTNN_NATIVE("var_mean.correction", ATEN_OP2(var_mean, correction), &var_mean);
  TTNN_NATIVE("std_mean.correction", ATEN_OP2(std_mean, correction), &std_mean);
  TTNN_NATIVE("linalg_vector_norm", ATEN_OP(linalg_vector_norm), &vector_norm);
  TTNN_NATIVE("any", ATEN_OP(any), &any_all);
  TTNN_NATIVE("all", ATEN_OP(all), &all_all);
  TTNN_NATIVE("any.dim", ATEN_OP2(any, dim), &any_dim);
  TTNN_NATIVE("all.dim", ATEN_OP2(all, dim), &all_dim);
  TTNN_NATIVE("any.dims", ATEN_OP2(any, dims), &any_dims);
  TTNN_NATIVE("all.dims", ATEN_OP2(all, dims), &all_dims);
  TTNN_NATIVE("cumsum", ATEN_OP(cumsum), &cumulative_sum);
  TTNN_NATIVE("cumsum.out", ATEN_OP2(cumsum, out), &cumsum_out);
}

}  // namespace
}  // namespace ttnn_device::aten
