"""OpInfo conformance runner: every OpInfo sample, run on a device and on the CPU, compared.

Run it as ``python -m ttnn_device.conformance --help``. This package imports nothing at
import time: the worker processes must import ``ttnn_device`` (which registers the device)
before PyTorch's OpInfo modules, so that order is decided in ``worker.py``, not here.
"""
