#!/usr/bin/env bash
# The whole default test run: C++ unit tests of the torch-free runtime (ctest), then the Python suite
# (pytest: device module, memory, copies, views, fallback, modules, serialization, formats, OpInfo
# conformance, the op table against the real ttnn). Run scripts/setup.sh once first: it makes .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/cpp -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/cpp -j 2
ctest --test-dir build/cpp --output-on-failure
PY="${TTNN_DEVICE_VENV:-.venv}/bin/python"
"$PY" -m pytest tests -q "$@"
