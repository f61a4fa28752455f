#!/usr/bin/env bash
# Speed: `tqa bench` if the CLI has it, then tqa --codec turbo, flac -5 and the seed timed
# on the same 60 s 44.1 kHz stereo file in the same run (one core unless --all-cores).
#   bash bench/speed.sh [--runs 5] [--all-cores] [--no-seed] [--build]
# Output: stdout and bench/work/speed.md
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
PY="$(bash "$BENCH/setup.sh" | tail -n1)"
[[ -s "$BENCH/data/wav/speed_60s_44k_stereo.wav" ]] || bash "$BENCH/fetch_recordings.sh"
args=()
for a in "$@"; do
  if [[ "$a" == --build ]]; then (cd "$ROOT" && swift build -c release --product tqa >&2); else args+=("$a"); fi
done
mkdir -p "$BENCH/work"
cd "$BENCH" && "$PY" speed.py ${args[@]+"${args[@]}"} | tee "$BENCH/work/speed.md"
