"""Which backend the ttnn device runs on, chosen once at import (before any device is used).

``TTNN_DEVICE_BACKEND``:
  ``auto`` (default)  the hardware backend when ``ttnn`` is installed and a card is present (or the
                      emulated device is asked for), else the reference device;
  ``sim``             the reference device (a TT chip modelled on the host);
  ``ttnn``            the hardware backend, through the ``ttnn`` package; an error where it cannot run.
``TTNN_DEVICE_EMULATE=1`` serves the hardware backend's device from an emulator built on the real
``ttnn`` package (``ttnn_device.testing.ttnn_emulator``), for testing without a card.
"""

from __future__ import annotations

import atexit
import importlib.util
import pathlib

from . import _C

_INFO: dict = {}
_CARD_NODES = pathlib.Path("/dev/tenstorrent")  # where the kernel driver exposes TT cards


def _card_present() -> bool:
    return _CARD_NODES.is_dir() and any(_CARD_NODES.iterdir())


def _choose() -> tuple[str, str, bool]:
    # Read by the extension's configuration reader: one policy for every TTNN_DEVICE_* setting.
    wanted = _C._config_choice("TTNN_DEVICE_BACKEND", ["auto", "sim", "ttnn"], "auto")
    emulate = _C._config_choice("TTNN_DEVICE_EMULATE", ["0", "1"], "0")
    if wanted == "sim":
        return "sim", "TTNN_DEVICE_BACKEND=sim", False
    missing = ""
    if importlib.util.find_spec("ttnn") is None:
        missing = "ttnn not installed (pip install ttnn==0.81.1, on CPython 3.10 or 3.12)"
    elif emulate == "1":
        from .testing import ttnn_emulator

        ttnn_emulator.install()
        return "ttnn", "emulated device (TTNN_DEVICE_EMULATE=1): the real ttnn package, device ops by its golden functions", True
    elif not _card_present():
        missing = f"no card found ({_CARD_NODES} has no devices: is the tt-kmd driver loaded?)"
    if missing:
        if wanted == "ttnn":
            raise RuntimeError(f"TTNN_DEVICE_BACKEND=ttnn cannot run here: {missing}. Without a card, "
                               "TTNN_DEVICE_EMULATE=1 runs the hardware backend on an emulated device, and "
                               "TTNN_DEVICE_BACKEND=sim (or auto) uses the reference device.")
        return "sim", missing, False
    return "ttnn", "ttnn installed and a card found", False


def select() -> None:
    name, reason, emulated = _choose()
    _C._select_backend(name)
    _INFO.update(backend=name, reason=reason, emulated=emulated)
    if name == "ttnn":
        atexit.register(_C._close_hardware)


def backend_info() -> dict:
    """``{"backend": "sim" | "ttnn", "reason": why, "emulated": bool}``: the backend the ttnn device runs on."""
    return {"backend": _INFO.get("backend", _C._backend()), "reason": _INFO.get("reason", ""),
            "emulated": _INFO.get("emulated", False)}
