"""Non-blocking copies overlapping compute on the hardware backend (run on its emulated device): per round,
in alternating order, an upload of a pinned batch alone, a chain of device matmuls alone, and the two
together with the upload queued by `non_blocking=True` while the matmuls run. Overlap shows as the
together time falling below the sum of the two alone; `hidden` is the share of the shorter one that
disappeared (1.0: fully hidden, 0.0: none). Also run with a blocking copy in the same rounds, which must
hide nothing.

    TTNN_DEVICE_BACKEND=ttnn TTNN_DEVICE_EMULATE=1 python -m benchmarks.overlap [--mb 64] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import ttnn_device


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    torch.ttnn.synchronize()
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=64, help="size of the uploaded batch (float32, MiB)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    info = ttnn_device.backend_info()
    if info["backend"] != "ttnn":
        raise SystemExit("run with TTNN_DEVICE_BACKEND=ttnn TTNN_DEVICE_EMULATE=1 (or on a card)")

    batch = torch.randn(args.mb * 1024 * 256 // 1024, 1024).pin_memory()
    a = torch.randn(512, 512, device="ttnn")

    def upload(non_blocking):
        return lambda: batch.to("ttnn", non_blocking=non_blocking)

    def compute(steps):
        def run():
            y = a
            for _ in range(steps):
                y = torch.mm(y, a) * 1e-3
            return y
        return run

    # Matmul steps that take about as long as the upload, so that either could hide the other.
    timed(upload(False)), timed(compute(1))  # warm-up
    one_step = statistics.median(timed(compute(4)) for _ in range(3)) / 4
    steps = max(1, round(statistics.median(timed(upload(False)) for _ in range(3)) / one_step))

    rows = {True: [], False: []}
    for r in range(args.rounds):
        for non_blocking in ((True, False) if r % 2 == 0 else (False, True)):
            copy_alone = timed(upload(non_blocking))
            compute_alone = timed(compute(steps))
            together = timed(lambda: (upload(non_blocking)(), compute(steps)()))
            hidden = (copy_alone + compute_alone - together) / min(copy_alone, compute_alone)
            rows[non_blocking].append((copy_alone, compute_alone, together, hidden))

    kind = "emulated device" if info.get("emulated") else "card"
    print(f"{args.mb} MiB pinned float32 upload beside {steps} 512x512 matmuls, {args.rounds} rounds, "
          f"hardware backend on the {kind}; medians:")
    print(f"{'copy':14} {'copy ms':>8} {'compute ms':>10} {'together ms':>11} {'sum/together':>12} {'hidden':>7}")
    for non_blocking in (True, False):
        copy_ms, compute_ms, together_ms, hidden = (statistics.median(column) for column in zip(*rows[non_blocking]))
        print(f"{'non_blocking' if non_blocking else 'blocking':14} {copy_ms * 1e3:8.1f} {compute_ms * 1e3:10.1f} "
              f"{together_ms * 1e3:11.1f} {(copy_ms + compute_ms) / together_ms:12.2f} {hidden:7.2f}")


if __name__ == "__main__":
    main()
