#!/usr/bin/env bash
# Speed: `tqa bench`, then tqa --codec turbo, flac -5 and the seed timed on the same 60 s
# 44.1 kHz stereo file in the same run (one core unless --all-cores).
#   bash bench/speed.sh [--runs 5] [--all-cores] [--no-seed] [--no-tqa-bench] [--build]
# Output: stdout and bench/work/speed.md
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$BENCH/work/venv/bin/python"
[[ -x "$PY" ]] || { echo "error: $PY is missing: run bash bench/setup.sh once" >&2; exit 1; }
mkdir -p "$BENCH/work"
cd "$BENCH" && "$PY" speed.py "$@" | tee "$BENCH/work/speed.md"
exit "${PIPESTATUS[0]}"
