"""Sampling on the device (what generate(do_sample=True) draws with): torch.multinomial with and without
replacement and exponential_, with the CPU fallback forbidden. The device's random stream is its own (not
the CPU's), so draws are checked for reproducibility under manual_seed and against the distribution they
sample: a chi-square statistic of the drawn counts against the probabilities, with a bound that a sampler
off by a few percent on one category exceeds."""

from __future__ import annotations

import pytest
import torch

import ttnn_device  # noqa: F401  (registers the device)


pytestmark = pytest.mark.usefixtures("exact_no_fallback")

# The 1e-6 upper quantile of the chi-square distribution with 49 degrees of freedom (50 categories).
CHI2_49_AT_1E6 = 109.0


def probabilities(categories=50, seed=0):
    logits = torch.randn(categories, generator=torch.Generator().manual_seed(seed)) * 1.5
    return torch.softmax(logits, -1)


def chi_square(samples, p):
    counts = torch.bincount(samples.flatten(), minlength=p.numel()).double()
    expected = p.double() * samples.numel()
    return (((counts - expected) ** 2) / expected).sum().item()


@pytest.mark.parametrize("replacement", [False, True])
def test_one_sample_per_row_follows_the_distribution(replacement):
    p = probabilities()
    torch.manual_seed(11)
    drawn = torch.multinomial(p.expand(20000, -1).contiguous().to("ttnn"), 1, replacement=replacement)
    assert drawn.shape == (20000, 1) and drawn.dtype == torch.int64 and drawn.device.type == "ttnn"
    assert chi_square(drawn.cpu(), p) < CHI2_49_AT_1E6


def test_many_samples_with_replacement_follow_the_distribution():
    p = probabilities(seed=1)
    torch.manual_seed(12)
    drawn = torch.multinomial(p.to("ttnn"), 20000, replacement=True).cpu()
    assert drawn.shape == (20000,)
    assert chi_square(drawn, p) < CHI2_49_AT_1E6


def test_a_biased_sampler_fails_the_bound():
    # The bound is not vacuous: the CPU's own draws from a distribution with one category moved by 2
    # points exceed it against the true probabilities.
    p = probabilities(seed=1)
    shifted = p.clone()
    shifted[0] += 0.02
    shifted[1] = (shifted[1] - 0.02).clamp_min(0)
    drawn = torch.multinomial(shifted / shifted.sum(), 20000, replacement=True, generator=torch.Generator().manual_seed(0))
    assert chi_square(drawn, p) > CHI2_49_AT_1E6


def test_draws_are_reproducible_under_manual_seed_and_the_stream_moves_on():
    p = probabilities().expand(4, -1).contiguous().to("ttnn")
    torch.manual_seed(5)
    first = torch.multinomial(p, 3).cpu()
    torch.manual_seed(5)
    assert torch.equal(torch.multinomial(p, 3).cpu(), first)
    assert not torch.equal(torch.multinomial(p, 3).cpu(), first)


@pytest.mark.parametrize("replacement", [False, True])
def test_zero_probability_categories_are_never_drawn(replacement):
    weights = probabilities() * 7.0  # unnormalised weights, as torch.multinomial accepts
    weights[::2] = 0
    torch.manual_seed(3)
    drawn = torch.multinomial(weights.expand(3000, -1).contiguous().to("ttnn"), 4, replacement=replacement).cpu()
    assert (drawn % 2 == 1).all()
    if not replacement:
        assert all(len(set(row.tolist())) == 4 for row in drawn)  # without replacement: distinct per row


def test_multinomial_rejects_what_the_cpu_rejects():
    p = probabilities(10).to("ttnn")
    with pytest.raises(RuntimeError, match="without replacement"):
        torch.multinomial(p, 11)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        torch.multinomial(p.reshape(1, 2, 5), 1)


def test_exponential_has_its_mean_and_no_zero():
    torch.manual_seed(9)
    x = torch.empty(400, 500, device="ttnn").exponential_(2.0).cpu()
    assert x.min() > 0 and abs(x.mean().item() - 0.5) < 0.005 and abs(x.std().item() - 0.5) < 0.01
