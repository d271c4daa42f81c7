"""Runs a real model on the ttnn device and compares it with the CPU.

    python -m ttnn_device.demo [--model resnet18|transformer] [--batch N] [--profile]

Prints the output device, the agreement with CPU float32 (max abs error, PCC, top-1), which ops ran on the
CPU through the fallback, and what crossed host <-> device; with --profile, also ttnn_device.profile()'s
table of the device forward.
"""

import argparse
import contextlib
import time

import torch

import ttnn_device


def build(name):
    torch.manual_seed(0)
    if name == "resnet18":
        import torchvision

        return torchvision.models.resnet18(weights=None).eval(), (3, 224, 224)
    if name == "transformer":
        return torch.nn.TransformerEncoderLayer(64, 4, batch_first=True).eval(), (8, 64)
    raise SystemExit(f"unknown model {name!r}: choose resnet18 or transformer")


def pcc(a, b):
    a, b = a.double().flatten(), b.double().flatten()
    return torch.corrcoef(torch.stack([a, b]))[0, 1].item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="print ttnn_device.profile()'s table of the forward")
    args = parser.parse_args(argv)

    model, shape = build(args.model)
    inputs = torch.randn(args.batch, *shape)
    with torch.no_grad():
        expected = model(inputs)
        model.to("ttnn")
        device_inputs = inputs.to("ttnn")
        ttnn_device.reset_fallback_counts()
        start = time.perf_counter()
        with ttnn_device.profile() if args.profile else contextlib.nullcontext() as prof:
            result = model(device_inputs)
        seconds = time.perf_counter() - start
    got = result.cpu()
    print(f"model {args.model}, batch {args.batch}, output {tuple(result.shape)} on {result.device} "
          f"({torch.ttnn.get_device_name()}), forward {seconds * 1000:.0f} ms")
    print(f"max abs error vs CPU {(got - expected).abs().max().item():.3g}, PCC {pcc(got, expected):.6f}")
    if got.dim() == 2:
        agree = (got.argmax(-1) == expected.argmax(-1)).float().mean().item()
        print(f"top-1 agreement with CPU {agree * 100:.0f}%")
    counts = ttnn_device.fallback_counts()
    print(f"ops on the CPU (fallback): {sum(counts.values())} calls of {len(counts)} ops")
    for name, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {name}: {count}")
    transfers = ttnn_device.transfer_counts()
    for direction, figures in transfers.items():
        print(f"{direction.replace('_', ' ')}: {figures['count']} transfers, {figures['bytes'] / 1e6:.2f} MB")
    if prof is not None:
        print()
        print(prof.table(row_limit=15))


if __name__ == "__main__":
    main()
