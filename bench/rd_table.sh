#!/usr/bin/env bash
# Rate-distortion run: tqa --codec spectral at 2/3/4/6 bits per sample against WavPack
# hybrid, aptX, aptX HD and IMA ADPCM on every real recording, in one run.
#   bash bench/rd_table.sh [--files NAME,...] [--rates 2,3,4,6] [--wavpack-rates 2,3,4,6,8] [--with-seed] [--build]
#   bash bench/rd_table.sh --matched [--files NAME,...] [--rates 2,3,4,6] [--build]
#   bash bench/rd_table.sh [--matched] --from-csv bench/work/rd_table.csv   # re-render only
# --build runs `swift build -c release --product tqa` first (otherwise .build/release/tqa, or
# TQA_BIN=path, must exist). Output: bench/work/rd_table.{md,csv}
# --matched: tqa spectral at 0.99 x each peer's measured bits per sample (WavPack -bN -s0 for N
# in --rates, aptX, aptX HD) instead, the table of docs/SPECTRAL.md. Output: bench/work/rd_matched.{md,csv}
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$BENCH/work/venv/bin/python"
[[ -x "$PY" ]] || { echo "error: $PY is missing: run bash bench/setup.sh once" >&2; exit 1; }
cd "$BENCH" && exec "$PY" rd_table.py "$@"
