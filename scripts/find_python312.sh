#!/usr/bin/env bash
# Prints the path of a working CPython 3.12 interpreter, or fails with a message saying what to install.
# `python3.12` on PATH may be a pyenv shim that only works when 3.12 is the selected version, so each
# candidate is run, not just located.
set -uo pipefail
works() { [ -x "$1" ] && "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; }
candidates=("${PYTHON312:-}" "$(command -v python3.12 2>/dev/null)")
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.|$)' | sort -rV); do
    candidates+=("$(pyenv root)/versions/$v/bin/python3.12")
  done
fi
candidates+=(/usr/bin/python3.12 /usr/local/bin/python3.12)
for c in "${candidates[@]}"; do
  if [ -n "$c" ] && works "$c"; then
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "no working CPython 3.12 found: install one (pyenv install 3.12, or apt-get install python3.12-venv)," \
     "or point PYTHON312 at it" >&2
exit 1
