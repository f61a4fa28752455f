#!/usr/bin/env bash
# Perceptual quality at matched bitrates (issue 15): tqa spectral (each tuning) against Opus, AAC,
# Vorbis and MP3, scored with ViSQOL, PESQ-WB, STOI and SNR. Options: bench/perceptual.py --help.
#   bash bench/perceptual.sh [--kinds music,speech] [--files a,b] [--jobs 2] [--write-benchmarks]
#   bash bench/perceptual.sh --quick --kinds music --rates 64,96 --tqa .build/release/tqa   # tqa only
# Needs visqol-python, pesq, pystoi (bash bench/setup.sh installs them into bench/work/venv);
# PYTHON=path picks another interpreter. Output: bench/work/perceptual.{md,csv}
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-$BENCH/work/venv/bin/python}"
[[ -x "$PY" ]] || { echo "error: $PY is missing: run bash bench/setup.sh once (or set PYTHON=path)" >&2; exit 1; }
exec "$PY" "$BENCH/perceptual.py" "$@"
