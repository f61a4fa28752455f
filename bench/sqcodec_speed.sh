#!/usr/bin/env bash
# SQCodec speed, issue 5: tqa's Swift port against the PyTorch reference (sq-codec 0.0.1), same
# seeded random full-size weights, same 60 s of real speech, in one run; then peak memory of a
# 10-minute file. See bench/README.md ("SQCodec speed").
#   bash bench/sqcodec_speed.sh [--models 6kbps,0k75bps] [--seconds 60] [--runs 2]
#        [--memory-models 6kbps,0k75bps] [--memory-seconds 600] [--no-memory] [--build]
#   bash bench/sqcodec_speed.sh --from-json bench/work/sqcodec/results.json   # re-render only
# Quick check while developing: --seconds 5 --models 6kbps --memory-seconds 20
# TQA_BIN=path picks the binary (default .build/release/tqa; --build builds it first).
# Output: stdout and bench/work/sqcodec_speed.md (raw numbers: bench/work/sqcodec/results.json)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/reference_env.sh"
# --from-json only renders and --help only prints (standard library): any python3 does.
for a in "$@"; do
  if [[ "$a" == --from-json || "$a" == --help || "$a" == -h ]]; then exec python3 "$BENCH/sqcodec_speed.py" "$@"; fi
done
require_reference
"$PY" -c 'import onnxruntime, onnx' 2>/dev/null || [[ " $* " == *" --no-onnx "* ]] \
  || fail "$PY cannot import onnxruntime + onnx: run bash bench/setup.sh --reference once (or pass --no-onnx)"
exec "$PY" "$BENCH/sqcodec_speed.py" "$@"
