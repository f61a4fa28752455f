#!/usr/bin/env bash
# Peers on the real recordings: bash bench/peers.sh [--files NAME,...] [--no-seed] [--from-csv FILE]
# Output: bench/work/peers.md and bench/work/peers.csv. Needs bash bench/setup.sh and
# bash bench/fetch_recordings.sh once.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$BENCH/work/venv/bin/python"
[[ -x "$PY" ]] || { echo "error: $PY is missing: run bash bench/setup.sh once" >&2; exit 1; }
cd "$BENCH" && exec "$PY" peers.py "$@"
