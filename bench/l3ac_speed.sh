#!/usr/bin/env bash
# L3AC speed and memory beside SQCodec (issue 16), same machine, same run, same input: for each
# model, seeded random full-size weights (`tqa models --random-weights … --seed 1`), then tqa
# encode and decode of 60 s of real speech (bench/data/wav/speech_16k_mono.wav looped) on one
# thread and on two, wall clock of the whole command (weights loading included) and max RSS, and
# the max RSS of a 10-minute file. SQCodec models run in the same loop as the peer.
#   bash bench/l3ac_speed.sh [--seconds 60] [--memory-seconds 600] [MODEL ...]
#   MODEL is l3ac:NAME or sqcodec:NAME (default: the four L3AC models, sqcodec:0k75bps, sqcodec:1k5bps)
# TQA_BIN=path picks the binary (default .build/release/tqa). Prints a markdown table.
# Not PyTorch: the reference comparison (bench/sqcodec_speed.sh) has no L3AC worker yet.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TQA="${TQA_BIN:-.build/release/tqa}"
[[ "$TQA" == /* ]] || TQA="$ROOT/$TQA"
[[ -x "$TQA" ]] || { echo "error: $TQA is missing: swift build -c release --product tqa" >&2; exit 1; }
[[ -x /usr/bin/time ]] && command -v sox >/dev/null || { echo "error: sox or /usr/bin/time is missing: run bash bench/setup.sh once" >&2; exit 1; }
SRC="$ROOT/bench/data/wav/speech_16k_mono.wav"
[[ -s "$SRC" ]] || { echo "error: $SRC is missing: run bash bench/fetch_recordings.sh once" >&2; exit 1; }
seconds=60; memory_seconds=600; models=()
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --memory-seconds) memory_seconds=$2; shift 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
((${#models[@]})) || models=(l3ac:0k75bps l3ac:1kbps l3ac:1k5bps l3ac:3kbps sqcodec:0k75bps sqcodec:1k5bps)
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# n seconds of the source, looped.
make_input() {
  local n=$1 out=$2 len reps
  len=$(soxi -D "$SRC")
  reps=$(awk -v n="$n" -v l="$len" 'BEGIN {print int(n / l) + 1}')
  sox "$SRC" "$out" repeat "$reps" trim 0 "$n"
}
make_input "$seconds" "$tmp/in.wav"
make_input "$memory_seconds" "$tmp/long.wav"

# "wall maxrss_MB" of a command.
timed() { /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; awk '{printf "%.2f %.0f\n", $1, $2 / 1024}' "$tmp/t"; }

grep -m1 "model name" /proc/cpuinfo; grep -m1 "cpu family" /proc/cpuinfo; grep -m1 "^model" /proc/cpuinfo
echo "input: $seconds s of $(basename "$SRC") looped; memory: $memory_seconds s; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| codec model | encode RTF 1 thr | decode RTF 1 thr | encode RTF 2 thr | decode RTF 2 thr | max RSS MB, $memory_seconds s encode / decode |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for spec in "${models[@]}"; do
  codec=${spec%%:*}; m=${spec#*:}
  w="$tmp/w-$codec-$m"
  "$TQA" models --random-weights "$w" --codec "$codec" --model "$m" --seed 1 >/dev/null 2>&1
  row="| $codec $m"
  for t in 1 2; do
    read -r e _ < <(timed "$TQA" encode "$tmp/in.wav" -o "$tmp/x.tqa" --force --codec "$codec" --model "$m" --weights "$w" --threads "$t")
    read -r d _ < <(timed "$TQA" decode "$tmp/x.tqa" -o "$tmp/y.wav" --force --weights "$w" --threads "$t")
    row="$row | $(awk -v x="$e" -v s="$seconds" 'BEGIN {printf "%.3f", x / s}') | $(awk -v x="$d" -v s="$seconds" 'BEGIN {printf "%.3f", x / s}')"
  done
  read -r _ me < <(timed "$TQA" encode "$tmp/long.wav" -o "$tmp/l.tqa" --force --codec "$codec" --model "$m" --weights "$w" --threads 1)
  read -r _ md < <(timed "$TQA" decode "$tmp/l.tqa" -o "$tmp/l.wav" --force --weights "$w" --threads 1)
  echo "$row | $me / $md |"
done
