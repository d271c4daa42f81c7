"""Modules on ttnn: model.to("ttnn") moves parameters in place (identity, weight ties and optimizers
built before the move survive), and forward / backward / optimizer steps give the CPU's numbers."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn as nn

from conftest import assert_bit_equal

TIGHT = dict(rtol=1e-5, atol=1e-6)


class TiedLM(nn.Module):
    def __init__(self, vocab=50, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.embed.weight  # tied
        self.register_buffer("scale", torch.tensor(0.5))

    def forward(self, tokens):
        return self.head(self.norm(self.embed(tokens)) * self.scale)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.GELU(), nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.0), nn.Linear(16, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def _params_by_name(model):
    return {name: p for name, p in model.named_parameters(remove_duplicate=False)}


def test_to_keeps_parameter_identity():
    torch.manual_seed(0)
    model = SmallCNN()
    before = _params_by_name(model)
    values = {name: p.detach().clone() for name, p in before.items()}
    buffers_before = {name: b.clone() for name, b in model.named_buffers()}
    assert model.to("ttnn") is model
    after = _params_by_name(model)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] is before[name], name  # the same Python object
        assert after[name].device == torch.device("ttnn:0")
        assert isinstance(after[name], nn.Parameter) and after[name].requires_grad
        assert_bit_equal(after[name].cpu(), values[name])
    for name, b in model.named_buffers():
        assert b.device.type == "ttnn"
        assert_bit_equal(b.cpu(), buffers_before[name])
    # and back
    model.cpu()
    for name in before:
        assert _params_by_name(model)[name] is before[name]
        assert before[name].device.type == "cpu"
        assert_bit_equal(before[name], values[name])


def test_tied_weights_stay_tied():
    torch.manual_seed(1)
    model = TiedLM()
    assert model.head.weight is model.embed.weight
    model.to("ttnn")
    assert model.head.weight is model.embed.weight
    assert len(list(model.parameters())) == 3  # embed (= head), norm.weight, norm.bias
    with torch.no_grad():
        model.embed.weight[0].fill_(3.0)
    assert torch.equal(model.head.weight[0].cpu(), torch.full((16,), 3.0))
    assert model.head.weight.data_ptr() == model.embed.weight.data_ptr()


def test_module_to_dtype_and_device_together():
    model = nn.Linear(4, 3)
    ref = copy.deepcopy(model).to(torch.float64)
    weight = model.weight
    model.to("ttnn", torch.float64)
    assert model.weight is weight
    assert model.weight.dtype == torch.float64 and model.weight.device.type == "ttnn"
    assert_bit_equal(model.weight.cpu(), ref.weight)


def test_optimizer_built_before_to_steps_moved_params():
    torch.manual_seed(2)
    model_cpu = TiedLM()
    model_dev = copy.deepcopy(model_cpu)
    opt_cpu = torch.optim.AdamW(model_cpu.parameters(), lr=1e-2, weight_decay=0.1)
    opt_dev = torch.optim.AdamW(model_dev.parameters(), lr=1e-2, weight_decay=0.1)  # built before .to()
    model_dev.to("ttnn")
    tokens = torch.randint(0, 50, (4, 7))
    targets = torch.randint(0, 50, (4, 7))
    for _ in range(3):
        for model, opt, dev in [(model_cpu, opt_cpu, "cpu"), (model_dev, opt_dev, "ttnn")]:
            opt.zero_grad()
            logits = model(tokens.to(dev))
            loss = nn.functional.cross_entropy(logits.reshape(-1, 50), targets.to(dev).reshape(-1))
            loss.backward()
            opt.step()
    # the optimizer's own param list is the moved parameters
    assert opt_dev.param_groups[0]["params"][0] is model_dev.embed.weight
    assert opt_dev.param_groups[0]["params"][0].device.type == "ttnn"
    for (name, p_cpu), (_, p_dev) in zip(model_cpu.named_parameters(), model_dev.named_parameters()):
        assert p_dev.device.type == "ttnn"
        torch.testing.assert_close(p_dev.detach().cpu(), p_cpu.detach(), **TIGHT, msg=name)
        # and they moved away from the initial values
    for state in opt_dev.state.values():
        assert state["exp_avg"].device.type == "ttnn"


def test_sgd_momentum_training_matches_cpu():
    torch.manual_seed(3)
    model_cpu = SmallCNN()
    model_dev = copy.deepcopy(model_cpu).to("ttnn")
    opt_cpu = torch.optim.SGD(model_cpu.parameters(), lr=0.1, momentum=0.9)
    opt_dev = torch.optim.SGD(model_dev.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(4, 3, 16, 16)
    y = torch.randint(0, 10, (4,))
    for _ in range(2):
        for model, opt, dev in [(model_cpu, opt_cpu, "cpu"), (model_dev, opt_dev, "ttnn")]:
            opt.zero_grad()
            nn.functional.cross_entropy(model(x.to(dev)), y.to(dev)).backward()
            opt.step()
    for (name, p_cpu), (_, p_dev) in zip(model_cpu.named_parameters(), model_dev.named_parameters()):
        torch.testing.assert_close(p_dev.detach().cpu(), p_cpu.detach(), rtol=1e-4, atol=1e-5, msg=name)
    for (name, b_cpu), (_, b_dev) in zip(model_cpu.named_buffers(), model_dev.named_buffers()):
        torch.testing.assert_close(b_dev.cpu(), b_cpu, rtol=1e-4, atol=1e-5, msg=name)  # BN running stats


def test_transformer_encoder_layer_forward_matches_cpu():
    """The issue's example."""
    torch.manual_seed(4)
    model = nn.TransformerEncoderLayer(64, 4, batch_first=True).eval()
    x = torch.randn(2, 8, 64)
    with torch.no_grad():
        want = model(x)
        model.to("ttnn")
        got = model(x.to("ttnn"))
    assert got.device == torch.device("ttnn:0") and got.shape == want.shape
    torch.testing.assert_close(got.cpu(), want, **TIGHT)


def test_transformer_encoder_layer_train_mode_with_mask_matches_cpu():
    torch.manual_seed(5)
    model_cpu = nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, dropout=0.0, batch_first=True,
                                           norm_first=True)
    model_dev = copy.deepcopy(model_cpu).to("ttnn")
    x = torch.randn(3, 6, 32)
    mask = nn.Transformer.generate_square_subsequent_mask(6)
    pad = torch.tensor([[False] * 6, [False] * 4 + [True] * 2, [False] * 5 + [True]])
    y_cpu = model_cpu(x, src_mask=mask, src_key_padding_mask=pad)
    y_dev = model_dev(x.to("ttnn"), src_mask=mask.to("ttnn"), src_key_padding_mask=pad.to("ttnn"))
    torch.testing.assert_close(y_dev.detach().cpu(), y_cpu.detach(), **TIGHT)
    y_cpu.pow(2).mean().backward()
    y_dev.pow(2).mean().backward()
    for (name, p_cpu), (_, p_dev) in zip(model_cpu.named_parameters(), model_dev.named_parameters()):
        assert p_dev.grad is not None and p_dev.grad.device.type == "ttnn", name
        torch.testing.assert_close(p_dev.grad.cpu(), p_cpu.grad, rtol=1e-4, atol=1e-6, msg=name)


def test_small_cnn_forward_and_gradients_match_cpu():
    torch.manual_seed(6)
    model_cpu = SmallCNN()
    model_dev = copy.deepcopy(model_cpu).to("ttnn")
    x_cpu = torch.randn(2, 3, 16, 16, requires_grad=True)
    x_dev = x_cpu.detach().to("ttnn").requires_grad_()
    y_cpu, y_dev = model_cpu(x_cpu), model_dev(x_dev)
    torch.testing.assert_close(y_dev.detach().cpu(), y_cpu.detach(), **TIGHT)
    target = torch.randint(0, 10, (2,))
    nn.functional.cross_entropy(y_cpu, target).backward()
    nn.functional.cross_entropy(y_dev, target.to("ttnn")).backward()
    torch.testing.assert_close(x_dev.grad.cpu(), x_cpu.grad, rtol=1e-4, atol=1e-6)
    for (name, p_cpu), (_, p_dev) in zip(model_cpu.named_parameters(), model_dev.named_parameters()):
        assert p_dev.grad.device.type == "ttnn", name
        torch.testing.assert_close(p_dev.grad.cpu(), p_cpu.grad, rtol=1e-4, atol=1e-6, msg=name)
    # eval mode uses the running statistics
    model_cpu.eval(), model_dev.eval()
    with torch.no_grad():
        torch.testing.assert_close(model_dev(x_dev).cpu(), model_cpu(x_cpu), **TIGHT)


def test_grad_accumulates_in_place_on_device():
    lin = nn.Linear(3, 2).to("ttnn")
    x = torch.randn(4, 3).to("ttnn")
    lin(x).sum().backward()
    grad = lin.weight.grad
    first = grad.cpu().clone()
    lin(x).sum().backward()
    assert lin.weight.grad is grad
    torch.testing.assert_close(grad.cpu(), 2 * first)


def test_state_dict_and_load_state_dict_across_devices():
    torch.manual_seed(7)
    src = SmallCNN()
    dst = SmallCNN().to("ttnn")
    weight = dst.features[0].weight
    dst.load_state_dict(src.state_dict())  # CPU values into ttnn parameters
    assert dst.features[0].weight is weight and weight.device.type == "ttnn"
    for (name, a), (_, b) in zip(src.state_dict().items(), dst.state_dict().items()):
        assert b.device.type == "ttnn", name
        assert_bit_equal(b.cpu(), a)
    back = SmallCNN()
    back.load_state_dict(dst.state_dict())
    for (name, a), (_, b) in zip(src.state_dict().items(), back.state_dict().items()):
        assert_bit_equal(b, a)


def test_module_ttnn_then_cpu_round_trip_values():
    torch.manual_seed(8)
    model = nn.Sequential(nn.Linear(5, 5), nn.LayerNorm(5))
    values = {k: v.clone() for k, v in model.state_dict().items()}
    model.ttnn()
    assert all(p.is_ttnn for p in model.parameters())
    model.cpu()
    for k, v in model.state_dict().items():
        assert v.device.type == "cpu"
        assert_bit_equal(v, values[k])


@pytest.mark.parametrize("module", [nn.LSTM(4, 6, batch_first=True), nn.GRU(4, 6), nn.MultiheadAttention(8, 2)],
                         ids=["lstm", "gru", "mha"])
def test_recurrent_and_attention_modules(module):
    torch.manual_seed(9)
    module_dev = copy.deepcopy(module).to("ttnn")
    if isinstance(module, nn.MultiheadAttention):
        q = torch.randn(5, 2, 8)
        want, want_w = module(q, q, q)
        got, got_w = module_dev(*(q.to("ttnn"),) * 3)
        torch.testing.assert_close(got.detach().cpu(), want.detach(), **TIGHT)
        torch.testing.assert_close(got_w.detach().cpu(), want_w.detach(), **TIGHT)
        return
    x = torch.randn(3, 5, 4)
    want = module(x)[0]
    got = module_dev(x.to("ttnn"))[0]
    torch.testing.assert_close(got.detach().cpu(), want.detach(), **TIGHT)


def test_batchnorm_training_updates_running_stats():
    """native_batch_norm mutates running_mean / running_var although its schema does not annotate them."""
    torch.manual_seed(10)
    bn_cpu = nn.BatchNorm1d(3, momentum=0.5)
    bn_dev = copy.deepcopy(bn_cpu).to("ttnn")
    x = torch.randn(8, 3) * 2 + 1
    torch.testing.assert_close(bn_dev(x.to("ttnn")).detach().cpu(), bn_cpu(x).detach(), **TIGHT)
    assert not torch.equal(bn_cpu.running_mean, torch.zeros(3))  # the reference did move
    torch.testing.assert_close(bn_dev.running_mean.cpu(), bn_cpu.running_mean, **TIGHT)
    torch.testing.assert_close(bn_dev.running_var.cpu(), bn_cpu.running_var, **TIGHT)
    assert bn_dev.num_batches_tracked.item() == 1
