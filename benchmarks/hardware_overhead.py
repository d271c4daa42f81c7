"""The hardware backend's host cost: a model's forward through ttnn_device against the same sequence of
`ttnn` calls made directly from Python, both on the emulated device (the emulator's compute is the same
on both sides, so the ratio is our overhead: dispatcher, aten kernels, vocabulary, storages).

    TTNN_DEVICE_BACKEND=ttnn TTNN_DEVICE_EMULATE=1 python -m benchmarks.hardware_overhead
"""

from __future__ import annotations

import statistics
import time

import torch

import ttnn_device
from ttnn_device.testing import ttnn_emulator
from ttnn_device.testing.ttnn_names import resolve


def models():
    torch.manual_seed(0)
    yield "mlp 256-512-512-10", torch.nn.Sequential(torch.nn.Linear(256, 512), torch.nn.GELU(), torch.nn.Linear(512, 512),
                                                   torch.nn.ReLU(), torch.nn.Linear(512, 10)), torch.randn(32, 256)
    yield "transformer layer 64x4", torch.nn.TransformerEncoderLayer(64, 4, 128, batch_first=True, dropout=0.0), \
        torch.randn(2, 16, 64)


def main(rounds: int = 20):
    if ttnn_device.backend_info()["backend"] != "ttnn" or not ttnn_device.backend_info()["emulated"]:
        raise SystemExit("run with TTNN_DEVICE_BACKEND=ttnn TTNN_DEVICE_EMULATE=1")
    import ttnn

    print(f"{'model':28} {'ours ms':>9} {'direct ms':>10} {'ratio':>6} {'ttnn calls':>10}")
    for name, model, x in models():
        model = model.eval().to("ttnn")
        xd = x.to("ttnn")
        with torch.no_grad():
            model(xd).cpu()  # warm-up: weights converted once
            ttnn_emulator.TRACE = []
            model(xd)
            trace, ttnn_emulator.TRACE = ttnn_emulator.TRACE, None
            calls = [(resolve(ttnn, op), kwargs) for op, kwargs in trace]
            ours, direct = [], []
            for r in range(rounds):  # paired rounds, alternating which side runs first
                for side in ((0, 1) if r % 2 == 0 else (1, 0)):
                    t0 = time.perf_counter()
                    if side == 0:
                        model(xd)
                        torch.ttnn.synchronize()
                        ours.append(time.perf_counter() - t0)
                    else:
                        for fn, kwargs in calls:
                            fn(**kwargs)
                        direct.append(time.perf_counter() - t0)
        o, d = statistics.median(ours) * 1e3, statistics.median(direct) * 1e3
        ratios = statistics.median(a / b for a, b in zip(ours, direct))
        print(f"{name:28} {o:9.2f} {d:10.2f} {ratios:6.2f} {len(calls):10d}")


if __name__ == "__main__":
    main()
