// Fused optimizer steps (torch.optim's fused=True for Adam, AdamW and SGD) and GradScaler's two ops, as
// sequences of the device's elementwise kernels. The step counts stay on the device: Adam's bias
// corrections are powers of the betas computed there, so a step reads nothing back (except the one
// found_inf flag a GradScaler passes, whose value decides whether the step happens at all).
#include <ATen/ATen.h>
#include <torch/library.h>

#include "aten/operands.h"

namespace ttnn_device::aten {
namespace {

void check_lists(at::TensorList params, std::initializer_list<at::TensorList> others, const char* what) {
  for (at::TensorList list : others) {
    TORCH_CHECK(list.empty() || list.size() == params.size(), what, ": tensor lists of different lengths");
  }
  for (const at::Tensor& p : params) {
    device_of({&p});
    if (!at::isFloatingType(p.scalar_type())) decline(std::string(what) + " of non-float parameters");
  }
}

// True when a GradScaler found an inf or NaN in the gradients: the step is skipped, as on the CPU.
bool skipped(const std::optional<at::Tensor>& found_inf) {
  return found_inf.has_value() && found_inf->defined() && found_inf->item<double>() != 0.0;
}

// The gradient as the update uses it: unscaled, negated for maximize.
at::Tensor effective_grad(const at::Tensor& grad, const std::optional<at::Tensor>& grad_scale, bool maximize) {
  at::Tensor g = grad_scale.has_value() && grad_scale->defined() ? grad / *grad_scale : grad;
  return maximize ? -g : g;
}

// Adam (kDecoupled: AdamW, whose weight decay shrinks the parameter instead of adding to the gradient).
template <bool kDecoupled>
void fused_adam(at::TensorList params, at::TensorList grads, at::TensorList exp_avgs, at::TensorList exp_avg_sqs,
                at::TensorList max_exp_avg_sqs, at::TensorList state_steps, double lr, double beta1, double beta2,
                double weight_decay, double eps, bool amsgrad, bool maximize, const std::optional<at::Tensor>& grad_scale,
                const std::optional<at::Tensor>& found_inf) {
  check_lists(params, {grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps}, kDecoupled ? "fused AdamW" : "fused Adam");
  if (skipped(found_inf)) return;
  for (size_t i = 0; i < params.size(); ++i) {
    at::Tensor param = params[i];
    at::Tensor grad = effective_grad(grads[i], grad_scale, maximize);
    if (weight_decay != 0.0) {
      if (kDecoupled) {
        param.mul_(1.0 - lr * weight_decay);
      } else {
        grad = grad + param * weight_decay;
      }
    }
    at::Tensor exp_avg = exp_avgs[i], exp_avg_sq = exp_avg_sqs[i];
    exp_avg.lerp_(grad, 1.0 - beta1);
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
    const at::Tensor step = state_steps[i];
    const at::Tensor step_size = lr / (1.0 - at::pow(beta1, step));
    const at::Tensor correction2_sqrt = (1.0 - at::pow(beta2, step)).sqrt();
    at::Tensor second = exp_avg_sq;
    if (amsgrad) {
      at::Tensor max_sq = max_exp_avg_sqs[i];
      max_sq.copy_(at::maximum(max_sq, exp_avg_sq));
      second = max_sq;
    }
    const at::Tensor denom = second.sqrt() / correction2_sqrt + eps;
    param.sub_(exp_avg / denom * step_size);
  }
}

void fused_sgd(at::TensorList params, at::TensorList grads, at::TensorList momentum_buffers, double weight_decay,
               double momentum, double lr, double dampening, bool nesterov, bool maximize, bool is_first_step,
               const std::optional<at::Tensor>& grad_scale, const std::optional<at::Tensor>& found_inf) {
  check_lists(params, {grads, momentum_buffers}, "fused SGD");
  if (skipped(found_inf)) return;
  for (size_t i = 0; i < params.size(); ++i) {
    at::Tensor param = params[i];
    at::Tensor grad = effective_grad(grads[i], grad_scale, maximize);
    if (weight_decay != 0.0) grad = grad + param * weight_decay;
    if (momentum != 0.0) {
      at::Tensor buffer = momentum_buffers[i];
      if (is_first_step) {
        buffer.copy_(grad);
      } else {
        buffer.mul_(momentum).add_(grad, 1.0 - dampening);
      }
      grad = nesterov ? grad + buffer * momentum : buffer;
    }
    param.sub_(grad * lr);
  }
}

// GradScaler.unscale_: each gradient times inv_scale; found_inf becomes 1 where any gradient holds an inf
// or NaN (it is left as it was otherwise, so one flag collects every call of a step).
void non_finite_check_and_unscale(at::TensorList grads, at::Tensor& found_inf, const at::Tensor& inv_scale) {
  device_of({&found_inf, &inv_scale});
  for (const at::Tensor& g : grads) {
    device_of({&g});
    if (!at::isFloatingType(g.scalar_type())) decline("unscaling non-float gradients");
  }
  for (const at::Tensor& g : grads) {
    const at::Tensor bad = g.isfinite().logical_not().any().to(found_inf.scalar_type());
    found_inf.copy_(at::maximum(found_inf, bad.reshape(found_inf.sizes())));
    at::Tensor(g).mul_(inv_scale);
  }
}

// GradScaler.update: after an inf the scale backs off and the run of good steps restarts; after
// growth_interval good steps in a row the scale grows. All on 0-d device tensors, nothing read back.
at::Tensor& update_scale(at::Tensor& scale, at::Tensor& growth_tracker, const at::Tensor& found_inf, double growth_factor,
                         double backoff_factor, int64_t growth_interval) {
  device_of({&scale, &growth_tracker, &found_inf});
  const at::Tensor inf = found_inf.ne(0).reshape(scale.sizes());
  const at::Tensor good_steps = at::where(inf, at::zeros_like(growth_tracker), growth_tracker + 1);
  const at::Tensor grow = good_steps.eq(growth_interval);
  scale.copy_(at::where(inf, scale * backoff_factor, at::where(grow, scale * growth_factor, scale)));
  growth_tracker.copy_(at::where(grow, at::zeros_like(good_steps), good_steps));
  return scale;
}

#define TTNN_NATIVE(name, op, fn) m.impl(name, TORCH_FN((Native<op, fn>::call)))

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  TTNN_NATIVE("_fused_adam_", ATEN_OP(_fused_adam_), &fused_adam<false>);
  TTNN_NATIVE("_fused_adamw_", ATEN_OP(_fused_adamw_), &fused_adam<true>);
  TTNN_NATIVE("_fused_sgd_", ATEN_OP(_fused_sgd_), &fused_sgd);
  TTNN_NATIVE("_amp_foreach_non_finite_check_and_unscale_", ATEN_OP(_amp_foreach_non_finite_check_and_unscale_),
              &non_finite_check_and_unscale);
  TTNN_NATIVE("_amp_update_scale_", ATEN_OP(_amp_update_scale_), &update_scale);
}

}  // namespace
}  // namespace ttnn_device::aten
