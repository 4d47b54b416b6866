#!/usr/bin/env bash
# Creates .venv and installs the pinned requirements when they changed. Sourced
# by run.sh and test.sh; safe to run again (a stamp file skips the reinstall).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
want="${1:-requirements.txt}"
if [ ! -x .venv/bin/python ]; then
  echo "creating virtualenv .venv" >&2
  python3 -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements.txt "$want" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "installing $want" >&2
  .venv/bin/python -m pip install --disable-pip-version-check -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --disable-pip-version-check -q -r "$want"
  touch "$stamp"
fi
