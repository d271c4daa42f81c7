"""What happens when an op has no ttnn kernel: ``allow`` (run on the CPU), ``warn`` (also warn once per
op) or ``error`` (raise NotImplementedError). Starts from ``TTNN_DEVICE_FALLBACK`` (default allow)."""

import contextlib

from . import _C

MODES = ("allow", "warn", "error")


def get_fallback_mode():
    return _C._get_fallback_mode()


def set_fallback_mode(mode):
    if mode not in MODES:
        raise ValueError(f"fallback mode must be one of {MODES}, got {mode!r}")
    _C._set_fallback_mode(mode)


@contextlib.contextmanager
def fallback_mode(mode):
    """Context manager that sets the fallback mode and restores the previous one."""
    previous = get_fallback_mode()
    set_fallback_mode(mode)
    try:
        yield
    finally:
        set_fallback_mode(previous)
