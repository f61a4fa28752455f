#!/usr/bin/env bash
# SQCodec speed, issue 5: tqa's Swift port against the PyTorch reference (sq-codec 0.0.1), same
# seeded random full-size weights, same 60 s of real speech, in one run; then peak memory of a
# 10-minute file. See bench/README.md ("SQCodec speed").
#   bash bench/sqcodec_speed.sh [--models 6kbps,0k75bps] [--seconds 60] [--runs 2]
#        [--memory-models 6kbps,0k75bps] [--memory-seconds 600] [--no-memory] [--build]
#   bash bench/sqcodec_speed.sh --from-json bench/work/sqcodec/results.json   # re-render only
# Quick check while developing: --seconds 5 --models 6kbps --memory-seconds 20
# TQA_BIN=path picks the binary (default .build/release/tqa, built if missing).
# Output: stdout and bench/work/sqcodec_speed.md (raw numbers: bench/work/sqcodec/results.json)
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
REF="$ROOT/tools/reference"
VENV="$REF/.venv"

# Tools: sox (inputs), /usr/bin/time (peak memory). bench/setup.sh installs them with the rest.
if ! command -v sox >/dev/null || [[ ! -x /usr/bin/time ]]; then
  bash "$BENCH/setup.sh" >/dev/null
  command -v sox >/dev/null || { echo "sox is needed" >&2; exit 1; }
  if [[ ! -x /usr/bin/time ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null
  fi
fi

# The PyTorch reference: the venv of tools/reference/README.md ("Setup"), made there if missing.
if ! "$VENV/bin/python" -c 'import torch, sq_codec, vector_quantize_pytorch, local_attention, safetensors, numpy' 2>/dev/null; then
  echo "setting up $VENV as tools/reference/README.md describes" >&2
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  # The CPU wheel index when it is reachable, else the configured index (PyPI, local wheels).
  "$VENV/bin/pip" install -q --index-url https://download.pytorch.org/whl/cpu torch >&2 \
    || "$VENV/bin/pip" install -q torch >&2
  "$VENV/bin/pip" install -q -r "$REF/requirements.txt" >&2
fi

# The speech input: bench/data/wav (fetch_recordings.sh).
[[ -s "$BENCH/data/wav/speech_44k_mono.wav" ]] || bash "$BENCH/fetch_recordings.sh" >&2

TQA="${TQA_BIN:-.build/release/tqa}"
[[ "$TQA" == /* ]] || TQA="$ROOT/$TQA"
args=()
build=0
for a in "$@"; do
  if [[ "$a" == --build ]]; then build=1; else args+=("$a"); fi
done
from_json=0
for a in "$@"; do [[ "$a" == --from-json ]] && from_json=1; done
if ((from_json == 0)) && { ((build)) || [[ ! -x "$TQA" ]]; }; then
  if [[ -n "${TQA_BIN:-}" && $build == 0 ]]; then echo "TQA_BIN=$TQA_BIN does not exist" >&2; exit 1; fi
  (cd "$ROOT" && swift build -c release --product tqa >&2)
fi

mkdir -p "$BENCH/work"
exec "$VENV/bin/python" "$BENCH/sqcodec_speed.py" --tqa "$TQA" ${args[@]+"${args[@]}"}
