#!/usr/bin/env bash
# Where SQCodec's two-thread time goes (BENCHMARKS.md, "SQCodec speed against PyTorch"): for each
# model, tqa encode and decode of the 60 s input on one thread and on two, as wall clock and CPU
# time (user + system), and two one-thread decodes run side by side against one alone.
#   bash bench/sqcodec_threads.sh [MODEL ...]        (default: 0k75bps 6kbps)
# Uses the weights and input that bench/sqcodec_speed.sh leaves in bench/work/sqcodec (run it
# first, or `bash bench/sqcodec_speed.sh --models M --no-memory --runs 1`).
# TQA_BIN=path picks the binary (default .build/release/tqa).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/bench/work/sqcodec"
TQA="${TQA_BIN:-.build/release/tqa}"
[[ "$TQA" == /* ]] || TQA="$ROOT/$TQA"   # as bench/common.py: relative to the repository root
[[ -x "$TQA" ]] || { echo "error: $TQA is missing: swift build -c release --product tqa" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "error: /usr/bin/time is missing: run bash bench/setup.sh once" >&2; exit 1; }
models=("$@"); ((${#models[@]})) || models=(0k75bps 6kbps)
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# "wall cpu" of a command, in seconds.
timed() { /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >/dev/null 2>&1; awk '{printf "%.2f %.2f", $1, $2 + $3}' "$tmp/t"; }

echo "| model | step | 1 thr wall / CPU s | 2 thr wall / CPU s | scaling | 2 thr: both cores busy | CPU 2 thr / 1 thr |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for m in "${models[@]}"; do
  weights="$WORK/$m/weights-seed1"  # sqcodec_speed.sh's default seed
  [[ -d "$weights" ]] || { echo "error: no $weights (run bench/sqcodec_speed.sh --models $m first)" >&2; exit 1; }
  rate=$("$TQA" models --codec sqcodec | awk -v m="$m" '$2 == m {print $3}')
  input="$WORK/speech_60s_$((rate / 1000))k.wav"
  [[ -s "$input" ]] || { echo "error: no $input (run bench/sqcodec_speed.sh first)" >&2; exit 1; }
  "$TQA" encode "$input" -o "$tmp/x.tqa" --force --codec sqcodec --model "$m" --weights "$weights" --threads 2 >/dev/null 2>&1
  for step in encode decode; do
    if [[ $step == encode ]]; then
      cmd=("$TQA" encode "$input" -o "$tmp/y.tqa" --force --codec sqcodec --model "$m" --weights "$weights")
    else
      cmd=("$TQA" decode "$tmp/x.tqa" -o "$tmp/y.wav" --force --weights "$weights")
    fi
    read -r w1 c1 <<<"$(timed "${cmd[@]}" --threads 1)"
    read -r w2 c2 <<<"$(timed "${cmd[@]}" --threads 2)"
    awk -v m="$m" -v s="$step" -v w1="$w1" -v c1="$c1" -v w2="$w2" -v c2="$c2" 'BEGIN {
      printf "| %s | %s | %.2f / %.2f | %.2f / %.2f | %.2fx | %.0f %% | %.2f |\n", m, s, w1, c1, w2, c2, w1 / w2, 100 * c2 / (2 * w2), c2 / c1 }'
  done
done

echo
echo "| model | one-thread decode alone, wall s | two side by side, wall s (each) | slowdown |"
echo "| --- | ---: | ---: | ---: |"
for m in "${models[@]}"; do
  weights="$WORK/$m/weights-seed1"  # sqcodec_speed.sh's default seed
  rate=$("$TQA" models --codec sqcodec | awk -v m="$m" '$2 == m {print $3}')
  "$TQA" encode "$WORK/speech_60s_$((rate / 1000))k.wav" -o "$tmp/x.tqa" --force --codec sqcodec --model "$m" \
    --weights "$weights" --threads 2 >/dev/null 2>&1
  read -r alone _ <<<"$(timed "$TQA" decode "$tmp/x.tqa" -o "$tmp/a.wav" --force --weights "$weights" --threads 1)"
  /usr/bin/time -f "%e" -o "$tmp/p1" "$TQA" decode "$tmp/x.tqa" -o "$tmp/p1.wav" --force --weights "$weights" --threads 1 >/dev/null 2>&1 &
  /usr/bin/time -f "%e" -o "$tmp/p2" "$TQA" decode "$tmp/x.tqa" -o "$tmp/p2.wav" --force --weights "$weights" --threads 1 >/dev/null 2>&1 &
  wait
  awk -v m="$m" -v a="$alone" -v p="$(cat "$tmp/p1")" -v q="$(cat "$tmp/p2")" 'BEGIN {
    printf "| %s | %.2f | %.2f, %.2f | %.0f %% |\n", m, a, p, q, 100 * ((p > q ? p : q) / a - 1) }'
done
