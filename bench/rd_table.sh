#!/usr/bin/env bash
# Rate-distortion run: tqa --codec spectral at 2/3/4/6 bits per sample against WavPack
# hybrid, aptX, aptX HD and IMA ADPCM on every real recording, in one run.
#   bash bench/rd_table.sh [--files NAME,...] [--rates 2,3,4,6] [--wavpack-rates 2,3,4,6,8] [--with-seed] [--build]
#   bash bench/rd_table.sh --matched [--files NAME,...] [--rates 2,3,4,6] [--build]
# --build runs `swift build -c release` first (otherwise the existing .build/release/tqa
# is used as it is; TQA_BIN=path overrides it). Output: bench/work/rd_table.{md,csv}
# --matched: tqa spectral at 0.99 x each peer's measured bits per sample (WavPack -bN -s0 for N
# in --rates, aptX, aptX HD) instead, the table of docs/SPECTRAL.md. Output: bench/work/rd_matched.{md,csv}
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
PY="$(bash "$BENCH/setup.sh" | tail -n1)"
[[ -s "$BENCH/data/recordings.tsv" ]] || bash "$BENCH/fetch_recordings.sh"
args=()
for a in "$@"; do
  if [[ "$a" == --build ]]; then (cd "$ROOT" && swift build -c release --product tqa >&2); else args+=("$a"); fi
done
TQA="${TQA_BIN:-$ROOT/.build/release/tqa}"
if [[ ! -x "$TQA" ]]; then
  echo "note: $TQA not built (swift build -c release, or pass --build): tqa rows are skipped" >&2
elif ! "$TQA" encode --help 2>&1 | grep -q -- --bits-per-sample; then
  echo "note: $TQA has no 'encode --bits-per-sample' (spectral codec not there yet): tqa rows are skipped" >&2
fi
cd "$BENCH" && exec "$PY" rd_table.py ${args[@]+"${args[@]}"}
