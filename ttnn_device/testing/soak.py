"""A soak of the device: forwards and training steps of a small model, with device memory back to its
baseline after every step, host RSS flat after warm-up (growth under 5%), and the results equal to the
CPU's throughout. The test suite runs a bounded version; benchmarks/soak.py a long one.

    python -m ttnn_device.testing.soak [--forwards N] [--steps M]
"""

import argparse
import copy
import ctypes
import gc
import os

import torch


def _asan_allocated_bytes():
    """ASan's count of live heap bytes when the process runs under AddressSanitizer (scripts/sanitize.sh),
    else None. There RSS also holds ASan's quarantine (freed memory kept back, up to 256 MB, to catch
    use-after-free), which fills over the whole soak and would read as growth."""
    try:
        return ctypes.CDLL(None).__sanitizer_get_current_allocated_bytes
    except AttributeError:
        return None


def host_memory_mb():
    """(MB, what was read): the resident set size, or under ASan its live heap bytes."""
    asan = _asan_allocated_bytes()
    if asan is not None:
        asan.restype = ctypes.c_size_t
        return asan() / 2**20, "live heap (ASan)"
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, "RSS"


def run(forwards=1000, steps=200):
    """Raises AssertionError on the first broken promise; returns the host memory readings (MB, RSS or
    under ASan the live heap): after a fifth of the forwards, after the last, after a fifth of the steps,
    after the last."""
    torch.manual_seed(0)
    cpu = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(8 * 8 * 8, 10))
    dev = copy.deepcopy(cpu).to("ttnn")
    x = torch.randn(4, 3, 8, 8)
    xd = x.to("ttnn")
    with torch.no_grad():
        want = cpu(x)
        dev(xd)  # warm-up: the weights' device-format copies are made once and kept with them
    baseline = torch.ttnn.memory_allocated()
    rss = []
    for i in range(forwards):
        with torch.no_grad():
            out = dev(xd).cpu()
        if i % 50 == 0:
            assert torch.allclose(out, want, atol=1e-5, rtol=1e-5), i
        del out
        assert torch.ttnn.memory_allocated() == baseline, (i, torch.ttnn.memory_allocated(), baseline)
        if i in (forwards // 5, forwards - 1):  # after warm-up, and at the end
            gc.collect()
            rss.append(host_memory_mb()[0])

    opt_cpu = torch.optim.SGD(cpu.parameters(), lr=0.01, momentum=0.9)
    opt_dev = torch.optim.SGD(dev.parameters(), lr=0.01, momentum=0.9)
    target = torch.randint(0, 10, (4,))
    td = target.to("ttnn")
    for step in range(steps):
        for model, opt, inp, tgt in ((cpu, opt_cpu, x, target), (dev, opt_dev, xd, td)):
            opt.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(model(inp), tgt).backward()
            opt.step()
        if step == 0:
            trained = torch.ttnn.memory_allocated()  # momentum buffers now exist
        assert torch.ttnn.memory_allocated() == trained, (step, torch.ttnn.memory_allocated(), trained)
        if step in (steps // 5, steps - 1):
            gc.collect()
            rss.append(host_memory_mb()[0])
    for p, q in zip(dev.parameters(), cpu.parameters()):
        assert torch.allclose(p.cpu(), q, atol=1e-4, rtol=1e-4)
    growth = [(b - a) / a for a, b in (rss[0:2], rss[2:4])]
    print(f"forwards {forwards}, steps {steps}: device memory at baseline after each; {host_memory_mb()[1]} "
          f"{rss[0]:.0f}->{rss[1]:.0f} MB over the forwards, {rss[2]:.0f}->{rss[3]:.0f} MB over the steps")
    assert all(g < 0.05 for g in growth), (rss, growth)
    return rss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forwards", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)
    import ttnn_device  # noqa: F401
    run(args.forwards, args.steps)


if __name__ == "__main__":
    main()
