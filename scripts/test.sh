#!/usr/bin/env bash
# Runs the whole test suite: virtualenv, packages, local services, then pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k registration).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh requirements-dev.txt
bash scripts/services.sh
exec .venv/bin/python -m pytest "$@"
