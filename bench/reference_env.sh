# Sourced by the wrappers that run the PyTorch reference beside tqa (sqcodec_speed.sh,
# sqcodec_whole.sh): the paths, `fail`, and `require_reference`, which checks what both need —
# the reference venv of tools/reference (README "Setup") with torch + sq-codec, sox (inputs),
# /usr/bin/time (peak memory) and the speech recording — and makes bench/work.
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
PY="$ROOT/tools/reference/.venv/bin/python"
fail() { echo "error: $*" >&2; exit 1; }
require_reference() {
  "$PY" -c 'import torch, sq_codec, vector_quantize_pytorch, local_attention, safetensors, numpy' 2>/dev/null \
    || fail "$PY cannot import torch + sq-codec: run bash bench/setup.sh --reference once"
  command -v sox >/dev/null && [[ -x /usr/bin/time ]] || fail "sox or /usr/bin/time is missing: run bash bench/setup.sh once"
  [[ -s "$BENCH/data/wav/speech_44k_mono.wav" ]] || fail "$BENCH/data/wav/speech_44k_mono.wav is missing: run bash bench/fetch_recordings.sh once"
  mkdir -p "$BENCH/work"
}
