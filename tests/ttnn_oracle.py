"""The real `ttnn` package as an in-process oracle for the tests (host conversions only, no card).

`ttnn` imports without a card, but its first conversion opens the cluster driver and fails unless
TT_METAL_MOCK_CLUSTER_DESC_PATH names a cluster descriptor, in which case every driver call is mocked
(host conversions only need the HAL's tile sizes). `load_ttnn()` points that variable at the repository's
own descriptor unless the caller already set it, imports `ttnn` and runs one tiny conversion, so that "ttnn
is usable" means the conversions the tests need really work.

Descriptors (all three work for host conversions with ttnn 0.81.1):
  tests/golden/mock_wormhole_n150.yaml  the default; the one the committed goldens were made with
  tests/mock_clusters/n150.yaml         one Wormhole chip on an n150 board
  tests/mock_clusters/p150.yaml         one Blackhole chip on a p150 board
"""

from __future__ import annotations

import functools
import os
import pathlib
from types import ModuleType

TESTS = pathlib.Path(__file__).resolve().parent
DEFAULT_CLUSTER_DESC = TESTS / "golden" / "mock_wormhole_n150.yaml"
MOCK_CLUSTERS = {
    "wormhole_n150": DEFAULT_CLUSTER_DESC,
    "n150": TESTS / "mock_clusters" / "n150.yaml",
    "p150": TESTS / "mock_clusters" / "p150.yaml",
}
ENV_VAR = "TT_METAL_MOCK_CLUSTER_DESC_PATH"


@functools.lru_cache(maxsize=None)
def load_ttnn() -> tuple[ModuleType | None, str]:
    """``(ttnn, "")`` when the real ttnn imports and converts on the host, else ``(None, reason)``.

    Sets TT_METAL_MOCK_CLUSTER_DESC_PATH to DEFAULT_CLUSTER_DESC (if unset) and TT_METAL_LOGGER_LEVEL to
    ERROR (if unset) before the import. The result is cached: ttnn is imported at most once per process.
    """
    os.environ.setdefault(ENV_VAR, str(DEFAULT_CLUSTER_DESC))
    os.environ.setdefault("TT_METAL_LOGGER_LEVEL", "ERROR")
    desc = os.environ[ENV_VAR]
    if not pathlib.Path(desc).is_file():
        return None, f"{ENV_VAR}={desc} is not a file"
    try:
        import ttnn
    except Exception as e:  # ImportError when not installed; anything else is a broken install
        return None, f"cannot import ttnn: {type(e).__name__}: {e}"
    try:
        import torch

        probe = ttnn.from_torch(torch.ones(2, 3), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
        if list(probe.padded_shape) != [32, 32] or not bool((ttnn.to_torch(probe) == 1).all()):
            return None, "ttnn imported, but a host conversion gave a wrong result"
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return None, f"ttnn imported, but a host conversion failed ({ENV_VAR}={desc}): {type(e).__name__}: {first}"
    return ttnn, ""
