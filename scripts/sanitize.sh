#!/usr/bin/env bash
# The sanitizer run; it passes only when every part finishes green with zero sanitizer reports:
#   1. the C++ tests (runtime, allocator and registry, formats, view plans, the op layer's reference
#      implementation) built with AddressSanitizer + UndefinedBehaviorSanitizer, LeakSanitizer at exit;
#   2. the allocator and device-registry tests built with ThreadSanitizer (their threaded cases);
#   3. the extension built with ASan + UBSan (TTNN_DEVICE_SANITIZE, setup.py) in a copy of the tracked
#      files under build/sanitize, and every pytest file, sampled (--sample K: every K-th test of each
#      file, at least one), run against it. The venv's python is not instrumented, so libasan is preloaded
#      and leak checking is off there (the interpreter keeps its own allocations to exit); leaks are
#      LeakSanitizer's job in part 1.
# Reports are written to build/sanitize/reports; the run fails if any is there, and prints them.
# Usage: bash scripts/sanitize.sh [K]   (K defaults to 6). Needs .venv (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="$ROOT/${TTNN_DEVICE_VENV:-.venv}/bin/python"
SAMPLE="${1:-6}"
OUT="$ROOT/build/sanitize"
REPORTS="$OUT/reports"
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
TORCH_DIR="$("$PY" -c 'import os, torch; print(os.path.dirname(torch.__file__))')"
# Any UBSan finding is a report; print_stacktrace says where.
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$REPORTS/ubsan"
step() { echo "== $(date +%H:%M:%S) $*"; }

step "1/3 C++ tests with ASan + UBSan + LSan"
cmake -S . -B "$OUT/asan-cpp" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTTNN_SANITIZE=address,undefined \
  -DTTNN_TORCH_DIR="$TORCH_DIR" > /dev/null
cmake --build "$OUT/asan-cpp" -j 2
ASAN_OPTIONS="detect_leaks=1:log_path=$REPORTS/asan-cpp" ctest --test-dir "$OUT/asan-cpp" --output-on-failure

step "2/3 allocator and registry tests with TSan"
cmake -S . -B "$OUT/tsan-cpp" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTTNN_SANITIZE=thread > /dev/null
cmake --build "$OUT/tsan-cpp" -j 2 --target test_allocator
TSAN_OPTIONS="log_path=$REPORTS/tsan" "$OUT/tsan-cpp/test_allocator" | tail -1

step "3/3 the extension with ASan + UBSan, pytest sampled 1 in $SAMPLE"
# A copy of the tracked files (as they are in the work tree): the instrumented extension is built in place
# there and never replaces the normal one; its objects stay in the copy's build/ for the next run.
TREE="$OUT/tree"
mkdir -p "$TREE"
git ls-files -z | xargs -0 cp --parents -u -t "$TREE"
(cd "$TREE" && TTNN_DEVICE_SANITIZE=address,undefined MAX_JOBS="${MAX_JOBS:-2}" \
  "$PY" setup.py --quiet build_ext --inplace)
# libstdc++ is preloaded with libasan: the interpreter does not link it, and ASan must find the real
# __cxa_throw when it starts (else the first C++ exception of a library loaded later, e.g. triton's,
# stops the process in ASan's own check).
PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libstdc++.so)"
# handle_segv=0: the read-only host mirror tests expect a real SIGSEGV from their child process.
(cd "$TREE" && LD_PRELOAD="$PRELOAD" \
  ASAN_OPTIONS="detect_leaks=0:handle_segv=0:log_path=$REPORTS/asan-py" \
  "$PY" -m pytest tests -q -p no:cacheprovider --sample "$SAMPLE")

found="$(find "$REPORTS" -type f | sort)"
if [ -n "$found" ]; then
  for report in $found; do echo "--- $report"; cat "$report"; done
  echo "sanitizers: $(echo "$found" | wc -l) report file(s)"
  exit 1
fi
echo "sanitizers: 0 reports (ASan+UBSan+LSan C++ tests, TSan allocator/registry, ASan+UBSan pytest 1 in $SAMPLE)"
