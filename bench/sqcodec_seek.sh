#!/usr/bin/env bash
# How close `tqa decode --skip` comes to a full decode for an SQCodec model (README, "Seeking"):
# seeded random full-size weights, a synthetic demo signal long enough for 4 packets, a span
# that starts at the third packet (so decoding starts at a fresh second packet), compared
# sample by sample with the same span of a full decode (both f32).
#   bash bench/sqcodec_seek.sh [MODEL] [SECONDS]      (default: 0k75bps 200)
# TQA_BIN=path picks the binary (default .build/release/tqa, else .build/debug/tqa).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL=${1:-0k75bps}
SECONDS_=${2:-200}
TQA=${TQA_BIN:-$ROOT/.build/release/tqa}
[[ -x "$TQA" ]] || TQA=$ROOT/.build/debug/tqa
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
"$TQA" models --random-weights w --model "$MODEL" --seed 3 >/dev/null
"$TQA" synth --type demo --duration "$SECONDS_" --sample-rate 16000 -o in.wav >/dev/null 2>&1
"$TQA" encode in.wav -o x.tqa --codec sqcodec --model "$MODEL" --weights w >/dev/null 2>&1
"$TQA" decode x.tqa -o whole.wav --format f32 --weights w >/dev/null 2>&1
START=$(python3 - <<'PY'
import struct
b = open("x.tqa", "rb").read()
i, firsts = b.find(b"TQAP"), []
while b[i:i + 4] == b"TQAP":
    length, _, first, _ = struct.unpack("<IIQI", b[i + 4:i + 24])
    firsts.append(first)
    i += 24 + length + 4
if len(firsts) < 3:
    raise SystemExit(f"only {len(firsts)} packets: give more seconds")
print(firsts[2])
PY
)
"$TQA" decode x.tqa -o part.wav --format f32 --weights w --skip "$START" >/dev/null 2>&1
python3 - "$MODEL" "$START" <<'PY'
import math, struct, sys
def samples(path):
    b = open(path, "rb").read()
    i = b.find(b"data")
    n = struct.unpack("<I", b[i + 4:i + 8])[0]
    return struct.unpack(f"<{n // 4}f", b[i + 8:i + 8 + n])
model, start = sys.argv[1], int(sys.argv[2])
whole, part = samples("whole.wav")[start:], samples("part.wav")
assert len(whole) == len(part), (len(whole), len(part))
err = sum((a - b) ** 2 for a, b in zip(whole, part))
sig = sum(a * a for a in whole)
peak = max(abs(a - b) for a, b in zip(whole, part))
snr = "identical" if err == 0 else f"{10 * math.log10(sig / err):.1f} dB SNR"
print(f"{model}: span from frame {start} ({len(part)} frames) against the full decode: {snr}, "
      f"peak difference {peak:.3g} at {math.sqrt(sig / len(whole)):.3g} RMS")
PY
