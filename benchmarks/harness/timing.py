"""Wall-clock timing: one call, and a few rounds of several functions taken in turns.

The CPU baseline and the ttnn runs are timed in rounds, one call of each per round, the order reversed
every other round (cpu, ttnn | ttnn, cpu | ...): the cores are shared with other jobs, and a burst of load
then slows both sides of a round alike, and neither side always runs on the caches the other one warmed.
A speed ratio is the median of the per-round ratios (`paired_ratio`), not a ratio of medians.
The zoo (about 75 models, two dtypes) has to run within an hour on two cores and one inference on the
reference device can take seconds, so rounds stop once `budget_s` is spent; at least one round always
runs. Every time is kept, so the run count and spread can be read next to the median.
"""

from __future__ import annotations

import time


def once(fn, sync=None):
    """(result of fn(), seconds), with the device synchronised before the clock stops."""
    start = time.perf_counter()
    result = fn()
    if sync is not None:
        sync()
    return result, time.perf_counter() - start


def interleaved(fns, rounds, budget_s):
    """`fns` is {name: (fn, sync or None)}; returns {name: [seconds per call]}, up to `rounds` calls each."""
    times = {name: [] for name in fns}
    start = time.perf_counter()
    order = list(fns)
    for round_index in range(max(1, rounds)):
        for name in order if round_index % 2 == 0 else reversed(order):
            fn, sync = fns[name]
            times[name].append(once(fn, sync)[1])
        if time.perf_counter() - start >= budget_s:
            break
    return times


def paired_ratio(numerator, denominator):
    """Median over rounds of numerator[i] / denominator[i] (per-round times of two sides), or None."""
    ratios = sorted(n / d for n, d in zip(numerator, denominator) if d > 0)
    if not ratios:
        return None
    mid = len(ratios) // 2
    return ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2
