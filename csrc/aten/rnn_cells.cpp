// The fused LSTM/GRU cell ops. On any device but the CPU, torch's RNN modules call these fused cells
// (and their backward ops, through autograd), which only CUDA implements: with no CPU kernel behind them
// the fallback has nothing to run. Here they are written in terms of ordinary aten ops, which run on the
// device or fall back one by one. Workspaces hold the activated gates, which the backward ops read.
#include <ATen/ATen.h>
#include <torch/library.h>

namespace ttnn_device::aten {
namespace {

using OptionalTensor = std::optional<at::Tensor>;

at::Tensor add_biases(at::Tensor gates, const OptionalTensor& bias) {
  return (bias.has_value() && bias->defined()) ? gates + *bias : gates;
}

// LSTM: gates (i, f, g, o) = input_gates + hidden_gates (+ biases); cy = f*cx + i*g; hy = o*tanh(cy).
// Workspace: the activated gates [B, 4H].
std::tuple<at::Tensor, at::Tensor, at::Tensor> fused_lstm_cell(const at::Tensor& input_gates,
                                                               const at::Tensor& hidden_gates, const at::Tensor& cx,
                                                               const OptionalTensor& input_bias,
                                                               const OptionalTensor& hidden_bias) {
  auto gates = add_biases(add_biases(input_gates + hidden_gates, input_bias), hidden_bias).chunk(4, 1);
  at::Tensor i = gates[0].sigmoid(), f = gates[1].sigmoid(), g = gates[2].tanh(), o = gates[3].sigmoid();
  at::Tensor cy = f * cx + i * g;
  at::Tensor hy = o * cy.tanh();
  return {hy, cy, at::cat({i, f, g, o}, 1)};
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> fused_lstm_cell_backward(const OptionalTensor& grad_hy,
                                                                        const OptionalTensor& grad_cy,
                                                                        const at::Tensor& cx, const at::Tensor& cy,
                                                                        const at::Tensor& workspace, bool has_bias) {
  auto gates = workspace.chunk(4, 1);
  const at::Tensor &i = gates[0], &f = gates[1], &g = gates[2], &o = gates[3];
  at::Tensor tanh_cy = cy.tanh();
  at::Tensor ghy = (grad_hy.has_value() && grad_hy->defined()) ? *grad_hy : at::zeros_like(cy);
  at::Tensor gcy = ghy * o * (1 - tanh_cy * tanh_cy);
  if (grad_cy.has_value() && grad_cy->defined()) gcy = gcy + *grad_cy;
  at::Tensor grad_gates = at::cat({gcy * g * i * (1 - i), gcy * cx * f * (1 - f), gcy * i * (1 - g * g),
                                   ghy * tanh_cy * o * (1 - o)},
                                  1);
  at::Tensor grad_bias = has_bias ? grad_gates.sum(0) : at::Tensor();
  return {grad_gates, gcy * f, grad_bias};
}

// GRU: r = sigmoid(ir + hr), z = sigmoid(ii + hi), n = tanh(in + r*hn), hy = (1 - z)*n + z*hx.
// Workspace: (r, z, n, hx, hn) [B, 5H].
std::tuple<at::Tensor, at::Tensor> fused_gru_cell(const at::Tensor& input_gates, const at::Tensor& hidden_gates,
                                                  const at::Tensor& hx, const OptionalTensor& input_bias,
                                                  const OptionalTensor& hidden_bias) {
  auto in = add_biases(input_gates, input_bias).chunk(3, 1);
  auto hid = add_biases(hidden_gates, hidden_bias).chunk(3, 1);
  at::Tensor r = (in[0] + hid[0]).sigmoid();
  at::Tensor z = (in[1] + hid[1]).sigmoid();
  at::Tensor n = (in[2] + r * hid[2]).tanh();
  at::Tensor hy = n + z * (hx - n);
  return {hy, at::cat({r, z, n, hx, hid[2]}, 1)};
}

std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor> fused_gru_cell_backward(
    const at::Tensor& grad_hy, const at::Tensor& workspace, bool has_bias) {
  auto parts = workspace.chunk(5, 1);
  const at::Tensor &r = parts[0], &z = parts[1], &n = parts[2], &hx = parts[3], &hn = parts[4];
  at::Tensor gz = grad_hy * (hx - n) * z * (1 - z);
  at::Tensor gn = grad_hy * (1 - z) * (1 - n * n);
  at::Tensor gr = gn * hn * r * (1 - r);
  at::Tensor grad_input_gates = at::cat({gr, gz, gn}, 1);
  at::Tensor grad_hidden_gates = at::cat({gr, gz, gn * r}, 1);
  at::Tensor grad_input_bias = has_bias ? grad_input_gates.sum(0) : at::Tensor();
  at::Tensor grad_hidden_bias = has_bias ? grad_hidden_gates.sum(0) : at::Tensor();
  return {grad_input_gates, grad_hidden_gates, grad_hy * z, grad_input_bias, grad_hidden_bias};
}

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("_thnn_fused_lstm_cell", fused_lstm_cell);
  m.impl("_thnn_fused_lstm_cell_backward_impl", fused_lstm_cell_backward);
  m.impl("_thnn_fused_gru_cell", fused_gru_cell);
  m.impl("_thnn_fused_gru_cell_backward", fused_gru_cell_backward);
}

}  // namespace
}  // namespace ttnn_device::aten
