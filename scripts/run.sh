#!/usr/bin/env bash
# Runs Qudao in its embedded default: SQLite file (var/qudao.sqlite3), no Redis,
# demo organisation, and the built-in WeCom simulator with a chat page.
# Any setting from the README can be given as an environment variable.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh requirements.txt
.venv/bin/python -m bot seed-demo
exec .venv/bin/python -m bot serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
