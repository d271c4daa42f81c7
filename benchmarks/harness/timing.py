"""Wall-clock timing: one call, and the median of a few calls of several functions taken in turns.

The CPU baseline and the ttnn runs are timed in alternation (cpu, ttnn, cpu, ttnn, ...): the cores are
shared with other jobs, and a burst of load then slows both sides alike instead of skewing their ratio.
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
    for _ in range(max(1, rounds)):
        for name, (fn, sync) in fns.items():
            times[name].append(once(fn, sync)[1])
        if time.perf_counter() - start >= budget_s:
            break
    return times
