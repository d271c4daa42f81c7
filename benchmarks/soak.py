"""The long soak: ttnn_device/testing/soak.py with 20000 forwards and 4000 training steps (the test suite
runs 1000 and 200). Prints the RSS readings; fails on device memory off its baseline, RSS growth of 5% or
more after warm-up, or results that leave the CPU's.

    python -m benchmarks.soak [--forwards N] [--steps M]
"""

import argparse
import sys

import ttnn_device  # noqa: F401
from ttnn_device.testing import soak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forwards", type=int, default=20000)
    parser.add_argument("--steps", type=int, default=4000)
    args = parser.parse_args(argv)
    soak.run(args.forwards, args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
