#!/usr/bin/env bash
# Installs the pinned dependencies and builds ttnn_device in place (editable), so that both
# `import ttnn_device` and `import torch` (autoload) give PyTorch the `ttnn` device.
set -euo pipefail
cd "$(dirname "$0")/.."
# The benchmark zoo's libraries go in the same command as the torch pins, so pip can never swap torch.
python -m pip install --quiet -r requirements.txt -r benchmarks/requirements.txt
# No build isolation: the extension must build against the torch installed above, not a fresh one.
MAX_JOBS="${MAX_JOBS:-2}" python -m pip install --quiet --no-build-isolation --no-deps -e .
python -c "import ttnn_device, torch; print('ttnn_device ready:', torch.ttnn.device_count(), 'device(s),', torch.ttnn.get_device_name())"
