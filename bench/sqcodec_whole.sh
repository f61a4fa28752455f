#!/usr/bin/env bash
# SQCodec and L3AC long inputs, issue 16: tqa decode (packet by packet) and tqa decode --whole against the
# PyTorch reference's whole-input decode of the same tokens, same seeded random full-size weights,
# same 60 s of real speech; peak memory of --whole and its growth per minute. See bench/README.md.
#   bash bench/sqcodec_whole.sh [--models 6kbps,0k75bps,l3ac:1kbps] [--seconds 60] [--long-seconds 180] [--threads 2] [--build]
# TQA_BIN=path picks the binary (default .build/release/tqa; --build builds it first).
# Output: stdout and bench/work/sqcodec_whole.md (raw numbers: bench/work/sqcodec_whole/whole.json)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/reference_env.sh"
for a in "$@"; do
  if [[ "$a" == --help || "$a" == -h ]]; then exec python3 "$BENCH/sqcodec_whole.py" "$@"; fi
done
require_reference
[[ " $* " != *l3ac:* ]] || "$PY" -c 'import l3ac' 2>/dev/null \
  || fail "$PY cannot import l3ac: run bash bench/setup.sh --reference once"
exec "$PY" "$BENCH/sqcodec_whole.py" "$@"
