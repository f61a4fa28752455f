#!/usr/bin/env bash
# Install what bench/ needs, once and on purpose; no driver installs anything, each one checks
# what it needs and names this script when something is missing.
#   bash bench/setup.sh               # Debian tools (apt-get) + bench/work/venv (numpy, the seed,
#                                     # and perceptual.py's visqol-python, pesq, pystoi)
#   bash bench/setup.sh --reference   # also tools/reference/.venv (torch, sq-codec, l3ac, onnxruntime), for sqcodec_speed.sh
# Idempotent. Tools: ffmpeg, sox, flac, wavpack, espeak-ng, hyperfine, taskset, /usr/bin/time,
# python3-venv, and gcc + python3-dev (pesq is built from its source distribution). The venvs are
# git-ignored.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
VENV="$BENCH/work/venv"
SEED_VERSION="0.1.1"

missing=()
for t in ffmpeg:ffmpeg sox:sox soxi:sox flac:flac wavpack:wavpack wvunpack:wavpack espeak-ng:espeak-ng \
         hyperfine:hyperfine python3:python3 taskset:util-linux /usr/bin/time:time; do
  command -v "${t%%:*}" >/dev/null || missing+=("${t##*:}")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v gcc >/dev/null || missing+=(gcc)
python3 -c 'import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' \
  2>/dev/null || missing+=(python3-dev)
if ((${#missing[@]})); then
  echo "apt-get install ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  mkdir -p "$BENCH/work"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import numpy' 2>/dev/null; then
  "$VENV/bin/pip" install -q numpy >&2
fi
if [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("audiotq"))' 2>/dev/null)" != "$SEED_VERSION" ]]; then
  "$VENV/bin/pip" install -q "audiotq==$SEED_VERSION" >&2
fi

# perceptual.py's scores: ViSQOL v3 (pure Python; [accel] adds its numba kernels, the same FP64
# results about 8x faster; [lattice] the TFLite runtime of the speech mode's lattice mapper, the
# C++ default, without which it falls back to a polynomial that reads 1-2 MOS high), PESQ, STOI
if ! "$VENV/bin/python" -c 'import visqol, numba, ai_edge_litert, pesq, pystoi, soundfile, scipy' 2>/dev/null; then
  "$VENV/bin/pip" install -q 'visqol-python[accel,lattice]' pesq pystoi >&2
fi

if [[ "${1:-}" == --reference ]]; then
  # The PyTorch reference of tools/reference/README.md ("Setup").
  REF="$ROOT/tools/reference"
  if ! "$REF/.venv/bin/python" -c 'import torch, sq_codec, vector_quantize_pytorch, local_attention, safetensors, numpy' 2>/dev/null; then
    [[ -x "$REF/.venv/bin/python" ]] || python3 -m venv "$REF/.venv"
    # The CPU wheel index when it is reachable, else the configured index (PyPI, local wheels).
    "$REF/.venv/bin/pip" install -q --index-url https://download.pytorch.org/whl/cpu torch >&2 \
      || "$REF/.venv/bin/pip" install -q torch >&2
    "$REF/.venv/bin/pip" install -q -r "$REF/requirements.txt" >&2
  fi
  # ONNX Runtime and the exporter's onnx, beside PyTorch in bench/sqcodec_speed.py (issue 16);
  # L3AC's reference, for its rows there (l3ac:NAME).
  if ! "$REF/.venv/bin/python" -c 'import onnxruntime, onnx, l3ac' 2>/dev/null; then
    "$REF/.venv/bin/pip" install -q "onnxruntime==1.32.*" onnx >&2
    "$REF/.venv/bin/pip" install -q -r "$REF/requirements-l3ac.txt" >&2
  fi
fi
echo "bench is set up: $VENV/bin/python"
