#!/usr/bin/env bash
# Runs the whole test suite: virtualenv, packages, local services, then ruff,
# the import contracts (pyproject.toml) and pytest. Extra arguments go to pytest
# (e.g. scripts/test.sh -k registration).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh requirements-dev.txt
bash scripts/services.sh
.venv/bin/ruff check .
PYTHONPATH=. .venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
