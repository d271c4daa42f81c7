"""Backward kernels against CPU PyTorch's autograd, with the CPU fallback forbidden (so every forward and
backward op ran on the device), in exact numerics: activations, softmax, losses, layer and batch norm
(inference and training, with the running statistics updated on the device), convolution (plain,
strided, padded, dilated, grouped, transposed, 1-d), max pooling and embedding. Contiguous and
channels-last inputs, float32 and bfloat16."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import ttnn_device


pytestmark = pytest.mark.usefixtures("exact_no_fallback")


def tolerance(dtype):
    return dict(atol=3e-2, rtol=3e-2) if dtype == torch.bfloat16 else dict(atol=2e-5, rtol=2e-5)


def grads_on(device, fn, inputs, dtype, seed=0):
    """Runs fn on leaf copies of `inputs` on `device`, back-propagates a fixed random gradient of each
    output, and returns (outputs, input gradients) on the CPU."""
    leaves = [t.detach().to(device).requires_grad_(t.is_floating_point()) for t in inputs]
    outputs = fn(*leaves)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    generator = torch.Generator().manual_seed(seed)
    floating = [o for o in outputs if o.is_floating_point() and o.requires_grad]
    upstream = [torch.randn(o.shape, generator=generator).to(dtype).to(device) for o in floating]
    torch.autograd.backward(floating, upstream)
    return [o.detach().cpu() for o in outputs], [t.grad.cpu() if t.grad is not None else None for t in leaves]


def check(fn, inputs, dtype, **tol):
    expected_out, expected_grads = grads_on("cpu", fn, inputs, dtype)
    actual_out, actual_grads = grads_on("ttnn", fn, inputs, dtype)
    tol = tol or tolerance(dtype)
    for a, e in zip(actual_out, expected_out):
        torch.testing.assert_close(a, e, **tol)
    for a, e in zip(actual_grads, expected_grads):
        assert (a is None) == (e is None)
        if e is not None:
            assert a.dtype == e.dtype and a.shape == e.shape
            torch.testing.assert_close(a, e, **tol)


def rand(*shape, dtype=torch.float32, seed=0, channels_last=False):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed)).to(dtype)
    return x.to(memory_format=torch.channels_last) if channels_last else x


ACTIVATIONS = {
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "gelu": F.gelu,
    "softmax": lambda x: F.softmax(x, 1),
    "softmax_last": lambda x: F.softmax(x, -1),
    "log_softmax": lambda x: F.log_softmax(x, -1),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("channels_last", [False, True])
def test_activation_gradients(name, dtype, channels_last):
    check(ACTIVATIONS[name], [rand(2, 3, 5, 7, dtype=dtype, channels_last=channels_last)], dtype)


@pytest.mark.parametrize("channels_last", [False, True])
def test_threshold_backward_with_a_threshold(channels_last):
    g, x = rand(2, 3, 4, 5, channels_last=channels_last), rand(2, 3, 4, 5, seed=1, channels_last=channels_last)
    actual = torch.ops.aten.threshold_backward(g.to("ttnn"), x.to("ttnn"), 0.3)
    torch.testing.assert_close(actual.cpu(), torch.ops.aten.threshold_backward(g, x, 0.3), atol=0, rtol=0)
    assert actual.is_contiguous(memory_format=torch.channels_last) == channels_last


def test_relu_gradient_passes_nan_as_the_cpu_does():
    x = torch.tensor([-1.0, 0.0, float("nan"), 2.0])
    check(F.relu, [x], torch.float32, equal_nan=True, atol=0, rtol=0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_mse_loss_and_gradient(reduction, dtype):
    x, target = rand(4, 9, dtype=dtype), rand(4, 9, dtype=dtype, seed=1)
    check(lambda a, t: F.mse_loss(a, t, reduction=reduction), [x, target], dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("shape, normalized", [((3, 5, 40), (40,)), ((2, 6, 4, 8), (4, 8))])
def test_layer_norm_gradients(dtype, shape, normalized):
    x = rand(*shape, dtype=dtype)
    w, b = rand(*normalized, dtype=dtype, seed=1), rand(*normalized, dtype=dtype, seed=2)
    check(lambda a, weight, bias: F.layer_norm(a, normalized, weight, bias), [x, w, b], dtype,
          **(dict(atol=5e-2, rtol=5e-2) if dtype == torch.bfloat16 else dict(atol=1e-4, rtol=1e-4)))
    check(lambda a: F.layer_norm(a, normalized), [x], dtype,
          **(dict(atol=5e-2, rtol=5e-2) if dtype == torch.bfloat16 else dict(atol=1e-4, rtol=1e-4)))


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_batch_norm_forward_backward_and_running_statistics(training, channels_last, dtype):
    x = rand(4, 3, 5, 6, dtype=dtype, channels_last=channels_last)
    stats = {}

    def run(device, precision):
        bn = torch.nn.BatchNorm2d(3, momentum=0.2)
        with torch.no_grad():
            bn.weight.copy_(torch.tensor([0.5, 1.5, -1.0]))
            bn.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
            bn.running_mean.copy_(torch.tensor([0.2, -0.1, 0.0]))
            bn.running_var.copy_(torch.tensor([1.5, 0.7, 1.0]))
        bn = bn.to(precision).train(training).to(device)
        out, grads = grads_on(device, lambda a: bn(a), [x.to(precision)], dtype)
        stats[device, precision] = [t.cpu().double() for t in (bn.running_mean, bn.running_var, bn.weight.grad, bn.bias.grad)]
        return [t.double() for t in out + grads]

    tol = dict(atol=5e-2, rtol=5e-2) if dtype == torch.bfloat16 else dict(atol=1e-4, rtol=1e-4)
    expected, actual = run("cpu", dtype), run("ttnn", dtype)
    if dtype == torch.bfloat16:
        # Gradients that cancel to near zero are bfloat16 noise on the CPU too: each value passes within
        # tolerance of the CPU's, or no further from the float64 result than the CPU's value is.
        exact = run("cpu", torch.float64)
        for a, e, r in zip(actual + stats["ttnn", dtype], expected + stats["cpu", dtype], exact + stats["cpu", torch.float64]):
            near = torch.isclose(a, e, **tol) | ((a - r).abs() <= (e - r).abs())
            assert bool(near.all()), (a - e).abs().max()
    else:
        for a, e in zip(actual + stats["ttnn", dtype], expected + stats["cpu", dtype]):
            torch.testing.assert_close(a, e, **tol)
    if training:  # the running statistics moved
        assert not torch.equal(stats["cpu", dtype][0].float(), torch.tensor([0.2, -0.1, 0.0]))


CONVS = {
    "plain": dict(cin=3, cout=4, k=3),
    "strided_padded": dict(cin=3, cout=5, k=3, stride=2, padding=1),
    "uneven_stride": dict(cin=2, cout=3, k=2, stride=3),  # rows the last window never reads
    "dilated": dict(cin=2, cout=3, k=3, dilation=2, padding=2),
    "grouped": dict(cin=4, cout=6, k=3, groups=2, padding=1),
    "depthwise": dict(cin=4, cout=4, k=3, groups=4, padding=1),
    "pointwise": dict(cin=6, cout=8, k=1),
}


@pytest.mark.parametrize("name", list(CONVS))
@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_conv2d_gradients(name, channels_last, dtype):
    c = dict(CONVS[name])
    cin, cout, k, groups = c.pop("cin"), c.pop("cout"), c.pop("k"), c.get("groups", 1)
    x = rand(2, cin, 9, 11, dtype=dtype, channels_last=channels_last)
    w, b = rand(cout, cin // groups, k, k, dtype=dtype, seed=1) * 0.3, rand(cout, dtype=dtype, seed=2)
    check(lambda a, weight, bias: F.conv2d(a, weight, bias, **c), [x, w, b], dtype,
          **(dict(atol=1e-1, rtol=5e-2) if dtype == torch.bfloat16 else dict(atol=1e-4, rtol=1e-4)))


@pytest.mark.parametrize("kwargs, out_per_group", [(dict(stride=2), 3), (dict(stride=2, padding=1, output_padding=1), 3),
                                                  (dict(stride=1, groups=2), 2)])
def test_conv_transpose2d_gradients(kwargs, out_per_group):
    groups = kwargs.get("groups", 1)
    x = rand(2, 4, 5, 6)
    w, b = rand(4, out_per_group, 3, 3, seed=1) * 0.3, rand(out_per_group * groups, seed=2)
    check(lambda a, weight, bias: F.conv_transpose2d(a, weight, bias, **kwargs), [x, w, b], torch.float32,
          atol=1e-4, rtol=1e-4)


def test_conv1d_gradients():
    x, w, b = rand(2, 3, 20), rand(4, 3, 5, seed=1) * 0.3, rand(4, seed=2)
    check(lambda a, weight, bias: F.conv1d(a, weight, bias, stride=2, padding=2), [x, w, b], torch.float32,
          atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=3, stride=1)])
@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_max_pool2d_gradient(kwargs, channels_last, dtype):
    # overlapping windows (stride 1) add several gradients into one input element
    check(lambda a: F.max_pool2d(a, **kwargs), [rand(2, 3, 8, 9, dtype=dtype, channels_last=channels_last)], dtype)


@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_embedding_gradient_sums_repeated_tokens(padding_idx, dtype):
    ids = torch.tensor([[1, 2, 1, 5], [2, 2, 0, 1]])
    weight = rand(7, 16, dtype=dtype)
    expected_out, (expected_grad,) = grads_on("cpu", lambda w: F.embedding(ids, w, padding_idx=padding_idx), [weight], dtype)
    ids_dev = ids.to("ttnn")
    actual_out, (actual_grad,) = grads_on("ttnn", lambda w: F.embedding(ids_dev, w, padding_idx=padding_idx), [weight], dtype)
    torch.testing.assert_close(actual_out[0], expected_out[0])
    torch.testing.assert_close(actual_grad, expected_grad, **tolerance(dtype))
    if padding_idx is not None:
        assert actual_grad[padding_idx].abs().max() == 0


def test_a_small_cnn_trains_on_the_device_like_on_the_cpu():
    """Three SGD steps (momentum) of conv, batch norm in training mode, relu, max pool, linear and
    cross-entropy-free MSE, from the same init on both sides: parameters agree after every step."""
    def build():
        torch.manual_seed(5)
        return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                   torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 3))

    x, target = rand(6, 1, 8, 8), rand(6, 3, seed=1)
    results = {}
    for device in ("cpu", "ttnn"):
        model = build().to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            F.mse_loss(model(x.to(device)), target.to(device)).backward()
            opt.step()
        results[device] = [p.detach().cpu() for p in model.parameters()] + [b.cpu() for b in model.buffers()]
    for a, e in zip(results["ttnn"], results["cpu"]):
        torch.testing.assert_close(a, e, atol=1e-4, rtol=1e-4)


LOSSES = {
    "smooth_l1": lambda a, t: F.smooth_l1_loss(a, t),
    "smooth_l1_beta": lambda a, t: F.smooth_l1_loss(a, t, beta=0.5, reduction="sum"),
    "smooth_l1_beta0_none": lambda a, t: F.smooth_l1_loss(a, t, beta=0.0, reduction="none"),
    "l1": lambda a, t: F.l1_loss(a, t),
    "bce_with_logits": lambda a, t: F.binary_cross_entropy_with_logits(a * 30, torch.sigmoid(t)),
    "log_sigmoid": lambda a, t: F.logsigmoid(a * 40).sum() + t.sum() * 0,
}


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_loss_gradients(name, dtype):
    check(LOSSES[name], [rand(4, 9, dtype=dtype), rand(4, 9, dtype=dtype, seed=1)], dtype,
          **(dict(atol=5e-2, rtol=5e-2) if dtype == torch.bfloat16 else dict(atol=1e-5, rtol=1e-5)))


@pytest.mark.parametrize("kwargs", [dict(), dict(reduction="sum"), dict(reduction="none"), dict(ignore_index=2),
                                    dict(weight=True), dict(weight=True, ignore_index=1, reduction="sum")])
@pytest.mark.parametrize("shape", [(6, 5), (2, 5, 3, 4)])
def test_cross_entropy_and_nll_gradients(kwargs, shape):
    kwargs = dict(kwargs)
    n_classes = shape[1]
    target_shape = (shape[0],) + shape[2:]
    target = torch.randint(0, n_classes, target_shape, generator=torch.Generator().manual_seed(3))
    weight = torch.rand(n_classes, generator=torch.Generator().manual_seed(4)) + 0.5 if kwargs.pop("weight", False) else None

    def loss(logits):
        device = logits.device
        w = weight.to(device) if weight is not None else None
        return F.cross_entropy(logits, target.to(device), weight=w, **kwargs)

    check(loss, [rand(*shape)], torch.float32, atol=1e-5, rtol=1e-5)
    check(lambda logits: F.nll_loss(F.log_softmax(logits, 1), target.to(logits.device),
                                    weight=None if weight is None else weight.to(logits.device), **kwargs),
          [rand(*shape)], torch.float32, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=1), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=2, divisor_override=3), dict(kernel_size=3, stride=2)])
@pytest.mark.parametrize("channels_last", [False, True])
def test_avg_pool2d_gradient(kwargs, channels_last):
    check(lambda a: F.avg_pool2d(a, **kwargs), [rand(2, 3, 8, 9, channels_last=channels_last)], torch.float32)


def test_scatter_and_one_hot():
    labels = torch.tensor([3, 0, 4, 3])
    assert torch.equal(F.one_hot(labels.to("ttnn"), 6).cpu(), F.one_hot(labels, 6))
    x, src = rand(4, 6), rand(4, 6, seed=1)
    index = torch.stack([torch.randperm(6, generator=torch.Generator().manual_seed(i)) for i in range(4)])
    rows = torch.tensor([[0, 1, 2], [3, 0, 1]])  # distinct rows in each column: one src value per element
    for fn in (lambda a, i, s: a.scatter(1, i, s), lambda a, i, s: a.scatter(0, rows.to(a.device), s),
               lambda a, i, s: a.clone().scatter_(1, i[:, :2], 2.5)):
        expected = fn(x, index, src)
        actual = fn(x.to("ttnn"), index.to("ttnn"), src.to("ttnn"))
        assert torch.equal(actual.cpu(), expected)


def test_random_ops_are_reproducible_and_have_their_distributions():
    torch.manual_seed(7)
    a = torch.empty(200, 500, device="ttnn").uniform_(2.0, 5.0).cpu()
    torch.manual_seed(7)
    assert torch.equal(torch.empty(200, 500, device="ttnn").uniform_(2.0, 5.0).cpu(), a)
    assert not torch.equal(torch.empty(200, 500, device="ttnn").uniform_(2.0, 5.0).cpu(), a)  # the stream moved on
    assert a.min() >= 2.0 and a.max() < 5.0 and abs(a.mean().item() - 3.5) < 0.02
    z = torch.empty(200, 500, device="ttnn").normal_(1.0, 2.0).cpu()
    assert abs(z.mean().item() - 1.0) < 0.03 and abs(z.std().item() - 2.0) < 0.03
    b = torch.empty(200, 500, device="ttnn").bernoulli_(0.3).cpu()
    assert set(b.unique().tolist()) == {0.0, 1.0} and abs(b.mean().item() - 0.3) < 0.01
    p = torch.full((200, 500), 0.8, device="ttnn")
    assert abs(torch.bernoulli(p).cpu().mean().item() - 0.8) < 0.01
    assert torch.rand(3, 4, device="ttnn").device.type == "ttnn"


def test_dropout_masks_scales_and_back_propagates_through_its_mask():
    torch.manual_seed(0)
    x = (rand(100, 200) + 3).to("ttnn").requires_grad_()
    out, mask = torch.ops.aten.native_dropout(x, 0.25, True)
    kept = mask.cpu()
    assert kept.dtype == torch.bool and abs(kept.float().mean().item() - 0.75) < 0.01
    torch.testing.assert_close(out.cpu(), torch.where(kept, x.detach().cpu() / 0.75, torch.zeros(())))
    y = F.dropout(x, 0.25, training=True)
    g = rand(100, 200, seed=2)
    y.backward(g.to("ttnn"))
    dropped = y.detach().cpu() == 0
    torch.testing.assert_close(x.grad.cpu(), torch.where(dropped, torch.zeros(()), g / 0.75))


@pytest.mark.parametrize("optimizer", ["sgd", "sgd_nesterov", "adam", "adamw", "adam_single_tensor", "adamw_amsgrad",
                                       "adam_fused", "adamw_fused_amsgrad_maximize", "sgd_fused", "sgd_fused_nesterov"])
def test_optimizer_steps_match_the_cpu(optimizer):
    make = {
        "adam_fused": lambda p: torch.optim.Adam(p, lr=1e-2, weight_decay=1e-2, fused=True),
        "adamw_fused_amsgrad_maximize": lambda p: torch.optim.AdamW(p, lr=1e-2, amsgrad=True, maximize=True, fused=True),
        "sgd_fused": lambda p: torch.optim.SGD(p, lr=0.1, fused=True),
        "sgd_fused_nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3, fused=True),
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
        "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        "adam": lambda p: torch.optim.Adam(p, lr=1e-2),
        "adamw": lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
        "adam_single_tensor": lambda p: torch.optim.Adam(p, lr=1e-2, foreach=False),
        "adamw_amsgrad": lambda p: torch.optim.AdamW(p, lr=1e-2, amsgrad=True),
    }[optimizer]
    x, y = rand(16, 8), torch.randint(0, 4, (16,), generator=torch.Generator().manual_seed(1))
    results = {}
    for device in ("cpu", "ttnn"):
        torch.manual_seed(3)
        model = torch.nn.Sequential(torch.nn.Linear(8, 12), torch.nn.Tanh(), torch.nn.Linear(12, 4)).to(device)
        opt = make(model.parameters())
        for _ in range(3):
            opt.zero_grad()
            F.cross_entropy(model(x.to(device)), y.to(device)).backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
        results[device] = [p.detach().cpu() for p in model.parameters()] + [norm.cpu()]
    for a, e in zip(results["ttnn"], results["cpu"]):
        torch.testing.assert_close(a, e, atol=1e-5, rtol=1e-5)


def test_grad_scaler_with_a_fused_optimizer_skips_the_steps_with_an_inf_as_the_cpu():
    """GradScaler passes its scale and inf flag to the fused step and updates its scale on the device: the
    scale grows after two good steps and backs off after the step whose gradient holds an inf, which leaves
    the parameters as they were."""
    x, y = rand(16, 8), rand(16, 4, seed=1)
    results = {}
    for device in ("cpu", "ttnn"):
        torch.manual_seed(3)
        model = torch.nn.Linear(8, 4).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2, fused=True)
        scaler = torch.amp.GradScaler(device, init_scale=1024.0, growth_interval=2)
        scales = []
        for step in range(5):
            opt.zero_grad()
            loss = F.mse_loss(model(x.to(device)), y.to(device))
            scaler.scale(loss).backward()
            if step == 3:
                model.weight.grad[0, 0] = float("inf")
            scaler.step(opt)
            scaler.update()
            scales.append(scaler.get_scale())
        results[device] = ([p.detach().cpu() for p in model.parameters()], scales)
    assert results["ttnn"][1] == results["cpu"][1] == [1024.0, 2048.0, 2048.0, 1024.0, 1024.0]
    for a, e in zip(results["ttnn"][0], results["cpu"][0]):
        torch.testing.assert_close(a, e, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_and_the_gradient_of_indexing(accumulate):
    x, v = rand(5, 4, 3), rand(3, 4, 3, seed=1)
    rows, cols = torch.tensor([4, 0, -2]), torch.tensor([2, 0])
    cases = [
        lambda t, i, j, w: t.clone().index_put_((i,), w, accumulate=accumulate),
        lambda t, i, j, w: t.clone().index_put_((i,), w[:, :1], accumulate=accumulate),  # broadcast values
        lambda t, i, j, w: torch.ops.aten.index_put(t, [None, j], w[:1, :2], accumulate),  # dim 1, values broadcast
    ]
    for fn in cases:
        expected = fn(x, rows, cols, v)
        actual = fn(x.to("ttnn"), rows.to("ttnn"), cols.to("ttnn"), v.to("ttnn"))
        torch.testing.assert_close(actual.cpu(), expected)
    if accumulate:  # x[idx] with a repeated row: its gradient sums both rows' gradients
        repeated = torch.tensor([1, 3, 1])
        check(lambda a: a[repeated.to(a.device)] * 2.0, [x], torch.float32)


RESAMPLING = {
    "group_norm": lambda x, w, b: F.group_norm(x, 3, w, b),
    "group_norm_no_affine": lambda x, w, b: F.group_norm(x, 2, None, None) * w.reshape(1, -1, 1, 1),
    "adaptive_avg_pool_uneven": lambda x, w, b: F.adaptive_avg_pool2d(x, (4, 3)),
    "adaptive_avg_pool_global": lambda x, w, b: F.adaptive_avg_pool2d(x, 1),
    "nearest_x2": lambda x, w, b: F.interpolate(x, scale_factor=2, mode="nearest"),
    "nearest_to_size": lambda x, w, b: F.interpolate(x, size=(9, 5), mode="nearest"),
    "bilinear_x2": lambda x, w, b: F.interpolate(x, scale_factor=2, mode="bilinear"),
    "bilinear_align_corners": lambda x, w, b: F.interpolate(x, size=(11, 13), mode="bilinear", align_corners=True),
    "bicubic_down": lambda x, w, b: F.interpolate(x, size=(4, 3), mode="bicubic"),
}


@pytest.mark.parametrize("name", list(RESAMPLING))
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("channels_last", [False, True])
def test_group_norm_pooling_and_upsampling_gradients(name, dtype, channels_last):
    x = rand(2, 6, 7, 6, dtype=dtype, channels_last=channels_last)
    check(RESAMPLING[name], [x, rand(6, dtype=dtype, seed=1) + 1.0, rand(6, dtype=dtype, seed=2)], dtype)
