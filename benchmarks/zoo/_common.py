"""Shared helpers of the family modules: seeded builds and deterministic example inputs."""

import torch


def seeded_build(constructor, post=None):
    """A build() that seeds torch, calls `constructor()`, and returns the model in eval() mode, float32, CPU.

    `post(model)`, if given, runs after construction (still under the same seed): e.g. calibrate_batchnorm.
    """

    def build():
        torch.manual_seed(0)
        model = constructor().float().eval()
        if post is not None:
            post(model)
        return model.eval()

    build.__qualname__ = build.__name__ = f"build_{getattr(constructor, '__name__', 'model')}"
    return build


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def images(batch, height=224, width=None, channels=3, seed=0, unit=False):
    """[batch, channels, height, width] float32; normal (normalised pixels) or uniform [0, 1) if `unit`."""
    shape = (batch, channels, height, width or height)
    if unit:
        return torch.rand(shape, generator=generator(seed))
    return torch.randn(shape, generator=generator(seed))


def token_ids(batch, seq, vocab, seed=0, low=5):
    """[batch, seq] int64 token ids in [low, vocab), avoiding the special ids at the start of most vocabularies."""
    return torch.randint(low, vocab, (batch, seq), generator=generator(seed))


def image_inputs(height=224, width=None, channels=3, unit=False):
    """An inputs(batch) for a model that takes one image tensor."""

    def inputs(batch):
        return (images(batch, height, width, channels, unit=unit),)

    return inputs


def image_list_inputs(height=320, width=None):
    """An inputs(batch) for torchvision detection models: one list of [3, H, W] images in [0, 1)."""

    def inputs(batch):
        return (list(images(batch, height, width, unit=True).unbind(0)),)

    return inputs


def calibrate_batchnorm(model, make_input, steps=2):
    """Set the running statistics of every batch-norm layer from random inputs, as training would.

    Library initialisation leaves batch norm at mean 0 / variance 1, so in eval() a deep random CNN does not
    normalise at all: in some models (GhostNet, Xception, DeepLabV3, YOLOv8's box head, ...) the activations
    shrink layer after layer until the output no longer depends on the input (the same logits, to 1e-4, for
    any image). Here a forward pre-hook on each layer with running statistics (nn.BatchNorm*, torchvision's and
    transformers' FrozenBatchNorm2d) sets them, before the layer normalises, to the per-channel mean and
    variance of its input, averaged over `steps` eval-mode passes of `make_input(step)` (positional inputs).
    So every layer sees inputs already normalised upstream, no train-mode code path runs (dropout, detection
    losses), and the result is deterministic.
    """
    layers = [m for m in model.modules()
              if isinstance(getattr(m, "running_mean", None), torch.Tensor)
              and isinstance(getattr(m, "running_var", None), torch.Tensor)]
    seen = {}

    def hook(layer, args):
        x = args[0].detach().float()
        dims = [d for d in range(x.dim()) if d != 1]
        mean, var = x.mean(dims), x.var(dims, unbiased=False)
        n = seen.get(layer, 0)
        layer.running_mean.mul_(n / (n + 1)).add_(mean.to(layer.running_mean.dtype) / (n + 1))
        layer.running_var.mul_(n / (n + 1)).add_(var.to(layer.running_var.dtype) / (n + 1))
        seen[layer] = n + 1

    if not layers:
        return model
    handles = [m.register_forward_pre_hook(hook) for m in layers]
    try:
        model.eval()
        with torch.no_grad():
            for step in range(steps):
                model(*make_input(step))
    finally:
        for h in handles:
            h.remove()
    return model


CALIBRATED = "batch-norm statistics calibrated on random images (_common.calibrate_batchnorm)"


def calibrated(height=224, width=None, unit=False, as_list=False, steps=2, batch=2):
    """A build `post` hook: calibrate_batchnorm on random images of the model's input size."""
    return lambda model: calibrate_batchnorm(
        model, calibration_images(height, width, batch=batch, unit=unit, as_list=as_list), steps=steps)


def calibration_images(height=224, width=None, batch=2, unit=False, as_list=False):
    """A make_input for calibrate_batchnorm: `batch` random images per step (seeds 1000 + step), or a list of
    [3, H, W] images (torchvision detection models) if `as_list`."""

    def make_input(step):
        x = images(batch, height, width, seed=1000 + step, unit=unit)
        return (list(x.unbind(0)),) if as_list else (x,)

    return make_input


def reinit_linear(layer, std=0.02):
    """Normal(0, std) weights and zero bias for a zero-initialised classifier head (else its output is all zeros)."""
    torch.nn.init.normal_(layer.weight, std=std)
    if layer.bias is not None:
        torch.nn.init.zeros_(layer.bias)
    return layer
