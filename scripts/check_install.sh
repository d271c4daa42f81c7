#!/usr/bin/env bash
# The packaging as a user meets it (not part of the default test run: it builds the extension twice).
# In a new environment holding only the pinned torch and numpy:
#   1. `pip install .` from a clean copy of this checkout builds and installs ttnn_device (pip's own isolated
#      build environment, from pyproject.toml's build requirements);
#   2. the wheel from `python -m build --wheel` installs in its place;
# and after each, from a directory outside the checkout, `import torch` alone gives the ttnn device (the
# autoload entry point), a tensor computes on it, and nothing but ttnn_device was installed as a package.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
PY="$(cd "${TTNN_DEVICE_VENV:-.venv}" && pwd)/bin/python"
BASE="$("$PY" -c 'import sys; print(sys._base_executable)')"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
git clone --quiet "$REPO" "$WORK/src"
"$BASE" -m venv "$WORK/env"
ENV_PY="$WORK/env/bin/python"
"$ENV_PY" -m pip install --quiet --upgrade pip
"$ENV_PY" -m pip install --quiet torch==2.14.1 "numpy<2"
echo "fresh environment: $("$ENV_PY" -m pip list --format=freeze | grep -ciE '^(torch|numpy)==') of torch/numpy," \
     "$("$ENV_PY" -m pip list --format=freeze | wc -l) packages in all"

check() {  # $1: what was installed
  (cd "$WORK" && "$ENV_PY" - "$1" <<'PY'
import importlib.metadata as md, sys
import torch  # alone: the torch.backends entry point loads ttnn_device
assert torch._C._get_privateuse1_backend_name() == "ttnn", "import torch did not load the device"
x = torch.arange(6.0).reshape(2, 3).to("ttnn")
y = (x @ x.T).relu().cpu()
assert torch.equal(y, torch.tensor([[5.0, 14.0], [14.0, 50.0]])), y
dist = md.distribution("ttnn_device")
tops = sorted({f.parts[0] for f in dist.files if f.suffix == ".py" or f.suffix == ".so"})
assert tops == ["ttnn_device"], tops
assert "ttnn" in {e.name for e in md.entry_points(group="torch_dynamo_backends")}
print(f"{sys.argv[1]}: import torch gives {torch.ttnn.get_device_name()}; top-level packages {tops};",
      f"torch_dynamo_backends has ttnn; requires {dist.requires}")
PY
  )
}

(cd "$WORK/src" && MAX_JOBS="${MAX_JOBS:-2}" "$ENV_PY" -m pip install --quiet .)
check "pip install ."
"$ENV_PY" -m pip uninstall --quiet --yes ttnn_device

# The wheel, built in the development environment (it has the build tools) from the same clean copy.
(cd "$WORK/src" && MAX_JOBS="${MAX_JOBS:-2}" "$PY" -m build --wheel --no-isolation --outdir "$WORK/dist" > "$WORK/build.log")
WHEEL="$(ls "$WORK"/dist/ttnn_device-*.whl)"
echo "wheel: $(basename "$WHEEL"), $(du -h "$WHEEL" | cut -f1)"
"$ENV_PY" -m pip install --quiet "$WHEEL"
check "wheel"
echo "packaging checks passed"
