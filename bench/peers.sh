#!/usr/bin/env bash
# Peers on the real recordings: bash bench/peers.sh [--files NAME,...] [--no-seed]
# Output: bench/work/peers.md and bench/work/peers.csv
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$(bash "$BENCH/setup.sh" | tail -n1)"
[[ -s "$BENCH/data/recordings.tsv" ]] || bash "$BENCH/fetch_recordings.sh"
cd "$BENCH" && exec "$PY" peers.py "$@"
