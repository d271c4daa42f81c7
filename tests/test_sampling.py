"""Sampling on the device (what generate(do_sample=True) draws with): torch.multinomial with and without
replacement and exponential_, with the CPU fallback forbidden. exponential_ (so multinomial's exponential
race) draws from the CPU generator's engine computed on the device: its values and samples are checked
against the CPU's for the same seed, and the generator's state against the CPU's after the draws. Every
draw is also checked against the distribution it samples: a chi-square statistic of the drawn counts
against the probabilities, with a bound that a sampler off by a few percent on one category exceeds."""

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


def ulps_apart(a, b):
    return (a.view(torch.int32).long() - b.view(torch.int32).long()).abs().max().item()


@pytest.mark.parametrize("sizes", [(5,), (311,), (2, 1000), (50257,)])
def test_exponential_draws_are_the_cpus_for_the_same_seed(sizes):
    # Sizes inside the first state, across one twist of the engine, and a vocabulary's worth; a second
    # draw continues where the first left the engine.
    torch.manual_seed(1234)
    cpu = [torch.empty(sizes).exponential_(), torch.empty(7).exponential_(0.5)]
    torch.manual_seed(1234)
    dev = [torch.empty(sizes, device="ttnn").exponential_(), torch.empty(7, device="ttnn").exponential_(0.5)]
    for c, d in zip(cpu, dev):
        d = d.cpu()
        assert ulps_apart(d, c) <= 1  # float32 math on the device, the CPU's in double rounded once
        assert (d == c).float().mean() > 0.5


def test_the_generators_state_is_the_cpus_after_device_draws():
    torch.manual_seed(77)
    torch.empty(3000).exponential_()
    expected = torch.get_rng_state()
    torch.manual_seed(77)
    torch.empty(3000, device="ttnn").exponential_()
    assert torch.equal(torch.ttnn.get_rng_state(), expected)
    # Re-seeding drops the state the device held: the next draws start from the seed again.
    torch.manual_seed(77)
    first = torch.empty(9).exponential_()
    torch.manual_seed(77)
    assert ulps_apart(torch.empty(9, device="ttnn").exponential_().cpu(), first) <= 1


def test_multinomial_samples_are_the_cpus_for_the_same_seed():
    logits = torch.randn(3, 1000, generator=torch.Generator().manual_seed(4)) * 3
    p = torch.softmax(logits, -1)
    for dtype in (torch.float32, torch.bfloat16):
        for samples in (1, 5):
            torch.manual_seed(21)
            expected = [torch.multinomial(p.to(dtype), samples) for _ in range(3)]
            torch.manual_seed(21)
            got = [torch.multinomial(p.to(dtype).to("ttnn"), samples).cpu() for _ in range(3)]
            for e, g in zip(expected, got):
                assert torch.equal(g, e), (dtype, samples)


def test_explicit_generators_draw_the_cpus_stream():
    p = probabilities(100)
    # A CPU generator passed to a device op advances exactly as the CPU op advances it.
    g_cpu, g_dev = torch.Generator().manual_seed(8), torch.Generator().manual_seed(8)
    for _ in range(2):
        assert torch.equal(torch.multinomial(p.to("ttnn"), 1, generator=g_dev).cpu(), torch.multinomial(p, 1, generator=g_cpu))
    assert torch.equal(g_dev.get_state(), g_cpu.get_state())
    # A ttnn generator of its own seed gives the CPU generator's draws of that seed.
    g_ttnn = torch.Generator(device="ttnn").manual_seed(8)
    g_cpu.manual_seed(8)
    assert torch.equal(torch.multinomial(p.to("ttnn"), 4, generator=g_ttnn).cpu(), torch.multinomial(p, 4, generator=g_cpu))
