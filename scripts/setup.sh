#!/usr/bin/env bash
# Makes the project's environment and builds ttnn_device in it:
#   .venv (CPython 3.12, where the `ttnn` wheel and torch import side by side), the pinned torch, the
#   real `ttnn` 0.81.1 (the oracle the tests check formats and op semantics against), the benchmark zoo's
#   libraries, then an editable install of the package with its extras `.[zoo,test]` (the extension built in
#   place). Re-running it is cheap: pip skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${TTNN_DEVICE_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  PY312="$(bash scripts/find_python312.sh)"
  echo "creating $VENV from $PY312"
  "$PY312" -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --upgrade pip
# One pip command for torch, ttnn, the build tools and the zoo's pins, so that the resolver can never swap torch.
"$PY" -m pip install --quiet -r requirements.txt -r benchmarks/requirements.txt
# The package with its extras (zoo: the model zoo's libraries, test: the test tools; pyproject.toml), all
# already satisfied by the pins above, so pip adds nothing unless an extra names something they miss; the
# package itself pins torch, so nothing can swap it here either. No build isolation: the extension must
# build against the torch installed above, not a fresh one.
MAX_JOBS="${MAX_JOBS:-2}" "$PY" -m pip install --quiet --no-build-isolation -e ".[zoo,test]"
"$PY" -c "import ttnn_device, torch; print('ttnn_device ready:', torch.ttnn.device_count(), 'device(s),', torch.ttnn.get_device_name())"
