#!/usr/bin/env bash
# The whole default test run: C++ unit tests (ctest: the torch-free runtime, and the op layer's reference
# implementation against values computed with plain loops), then the Python suite
# (pytest: device module, memory, copies, views, fallback, modules, serialization, formats, OpInfo
# conformance, the op table against the real ttnn). Run scripts/setup.sh once first: it makes .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${TTNN_DEVICE_VENV:-.venv}/bin/python"
# The op layer's C++ test links the venv's torch (ATen); the runtime's tests need nothing.
TORCH_DIR="$("$PY" -c 'import os, torch; print(os.path.dirname(torch.__file__))')"
cmake -S . -B build/cpp -G Ninja -DCMAKE_BUILD_TYPE=Release -DTTNN_TORCH_DIR="$TORCH_DIR" > /dev/null
cmake --build build/cpp -j 2
ctest --test-dir build/cpp --output-on-failure
"$PY" -m pytest tests -q "$@"
