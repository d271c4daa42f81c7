"""The results file: one JSON document, rewritten after every model so that a killed run keeps what it has,
plus the run's context (machine, library versions) that the report's header shows."""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

# Libraries whose versions decide the numbers (the zoo's model libraries included, where installed).
LIBRARIES = ("torch", "torchvision", "timm", "transformers", "ultralytics", "segmentation-models-pytorch",
             "numpy", "ttnn_device")


def sanitize(value):
    """JSON-safe: nan/inf become null (strict JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): sanitize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitize(v) for v in value]
    return value


def write(path, document):
    """Writes atomically (temp file + rename): a reader, or a run killed mid-write, never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(sanitize(document), indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def read(path):
    return json.loads(Path(path).read_text())


def context(repo_root):
    """Where and with what the run happens."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": _machine(),
        "python": platform.python_version(),
        "versions": versions,
        "commit": _git_commit(repo_root),
        "load_average_start": load_average(),
    }


def load_average():
    """The 1-minute load average: on a machine shared with other jobs, it qualifies every timing."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        pass
    text = f"{cpu}, {os.cpu_count()} cores"
    return text + (f", {memory_gb:.0f} GiB" if memory_gb else "")


def _git_commit(repo_root):
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo_root, capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None
