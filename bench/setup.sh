#!/usr/bin/env bash
# Install what bench/ needs, once: Debian tools and a Python venv (numpy + the seed).
#   bash bench/setup.sh        # idempotent; prints the python to use on its last line
# The venv lives in bench/work/venv (git-ignored).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$BENCH/work/venv"
SEED_VERSION="0.1.1"

missing=()
for t in ffmpeg:ffmpeg sox:sox flac:flac wavpack:wavpack wvunpack:wavpack espeak-ng:espeak-ng \
         hyperfine:hyperfine python3:python3 taskset:util-linux; do
  command -v "${t%%:*}" >/dev/null || missing+=("${t##*:}")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
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
echo "$VENV/bin/python"
