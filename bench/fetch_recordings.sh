#!/usr/bin/env bash
# Fetch real recordings from Debian packages and cut the fixed benchmark set.
#
#   bash bench/fetch_recordings.sh          # idempotent: skips files that exist
#   FORCE=1 bash bench/fetch_recordings.sh  # rebuild every WAV
#
# Its job is downloading: the source recordings are Debian packages, fetched as .deb files with
# `apt-get download` and unpacked with `dpkg -x`; nothing is installed (the tools it runs, ffmpeg,
# sox and espeak-ng, come from `bash bench/setup.sh`).
#
# Everything lands in bench/data/ (git-ignored):
#   debs/       the downloaded .deb files          x/   their extracted trees
#   wav/        the benchmark WAVs (16-bit PCM)     recordings.tsv   the manifest
#
# The manifest has one row per WAV: name, path, sample rate, channels, frames,
# duration, kind (music|speech|speed), package, package version, source files, how
# it was cut, and the first 16 hex digits of the WAV's SHA-256 (the cut is deterministic:
# two fresh runs give byte-identical WAVs). Every script in bench/ reads the set from it.
#
# Sources (all decoded from Ogg Vorbis as shipped; the WAV is the reference, so the
# Vorbis stage is part of the "original" every codec is measured against):
#   fretsonfire-songs-muldjord  metal band Muldjord, real multitrack recordings
#                               (song.ogg backing + guitar.ogg summed = the full mix)
#   fretsonfire-songs-sectoid   metal by Sectoid (Carlos Viola Iborra), stems summed as above
#   singularity-music           Endgame: Singularity's soundtrack (Max McCracken), one 48 kHz stereo
#                               track as shipped
#   klettres-data               letters and words spoken by native speakers (English, French, German)
#   sound-theme-freedesktop     "front left", "rear center", ... spoken, 48 kHz mono
#   espeak-ng                   synthesized speech, a supplement only (kind=speech-tts)
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="$BENCH/data"
DEBS="$DATA/debs"
X="$DATA/x"
WAV="$DATA/wav"
MANIFEST="$DATA/recordings.tsv"
FORCE="${FORCE:-0}"
mkdir -p "$DEBS" "$X" "$WAV"

# Installs nothing: the tools come from `bash bench/setup.sh`.
need_tools() {
  local missing=() t
  for t in ffmpeg sox soxi espeak-ng apt-get dpkg-deb; do command -v "$t" >/dev/null || missing+=("$t"); done
  if ((${#missing[@]})); then
    echo "error: missing ${missing[*]}: run bash bench/setup.sh once" >&2
    exit 1
  fi
}

# fetch PACKAGE: download the .deb (once; `apt-get download` fetches the file and installs nothing,
# after `apt-get update` if the package index does not know it yet) and extract it (once, dpkg -x)
# into $X/PACKAGE; prints nothing.
fetch() {
  local pkg="$1" deb
  deb="$(ls "$DEBS/${pkg}"_*.deb 2>/dev/null | head -n1 || true)"
  if [[ -z "$deb" ]]; then
    if ! apt-cache show "$pkg" >/dev/null 2>&1; then apt-get update -qq; fi
    # _apt cannot write into a root-owned work tree; the warning about that is harmless
    (cd "$DEBS" && apt-get download -q "$pkg" 2>&1 | grep -v -e '^W: Download is performed unsandboxed' -e '^Get:' >&2 || true)
    deb="$(ls "$DEBS/${pkg}"_*.deb | head -n1)"
  fi
  if [[ ! -e "$X/$pkg/.extracted" ]]; then
    rm -rf "${X:?}/$pkg"; mkdir -p "$X/$pkg"
    dpkg -x "$deb" "$X/$pkg"
    touch "$X/$pkg/.extracted"
  fi
}

version_of() { dpkg-deb -f "$(ls "$DEBS/$1"_*.deb | head -n1)" Version; }

# to_s16 IN OUT [sox effects...]: peak-normalize to -1 dBFS, 16-bit, no dither (deterministic)
to_s16() {
  local in="$1" out="$2"; shift 2
  sox -V1 -D "$in" -b 16 "$out.part.wav" "$@" gain -n -1
  mv "$out.part.wav" "$out"
}

# music NAME SONG START DURATION RATE [PACKAGE BAND]: sum the Fretsonfire stems of SONG (song.ogg
# backing + guitar.ogg), cut, resample; PACKAGE defaults to fretsonfire-songs-muldjord, BAND to muldjord
music() {
  local name="$1" song="$2" start="$3" dur="$4" rate="$5" pkg="${6:-fretsonfire-songs-muldjord}" band="${7:-muldjord}"
  local out="$WAV/$name.wav"
  [[ -s "$out" && "$FORCE" != 1 ]] && return 0
  fetch "$pkg"
  local dir="$X/$pkg/usr/share/games/fretsonfire/data/songs/$band/$song"
  local tmp="$DATA/tmp.$name.f32.wav"
  ffmpeg -nostdin -v error -y -i "$dir/song.ogg" -i "$dir/guitar.ogg" \
    -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0,atrim=start=$start:duration=$((dur + 1))" \
    -c:a pcm_f32le "$tmp"
  local effects=()
  [[ "$rate" != 44100 ]] && effects+=(rate -v "$rate")
  effects+=(trim 0 "$dur")  # after the resampler, so the file has exactly rate x dur frames
  to_s16 "$tmp" "$out" "${effects[@]}"
  rm -f "$tmp"
}

# music_track NAME PACKAGE FILE START DURATION: a cut of one finished stereo track as shipped
# (FILE relative to the package's tree), at its own sample rate
music_track() {
  local name="$1" pkg="$2" file="$3" start="$4" dur="$5"
  local out="$WAV/$name.wav"
  [[ -s "$out" && "$FORCE" != 1 ]] && return 0
  fetch "$pkg"
  local tmp="$DATA/tmp.$name.f32.wav"
  ffmpeg -nostdin -v error -y -i "$X/$pkg/$file" -af "atrim=start=$start:duration=$((dur + 1))" -c:a pcm_f32le "$tmp"
  to_s16 "$tmp" "$out" trim 0 "$dur"
  rm -f "$tmp"
}

# speech_klettres NAME RATE [LANG]: every clip of one language (default en: a native English
# speaker; fr, de: other speakers), silence-trimmed, 0.25 s apart, mono
speech_klettres() {
  local name="$1" rate="$2" lang="${3:-en}" out="$WAV/$1.wav"
  [[ -s "$out" && "$FORCE" != 1 ]] && return 0
  fetch klettres-data
  local root="$X/klettres-data/usr/share/klettres/$lang" tmpd="$DATA/tmp.$name"
  rm -rf "$tmpd"; mkdir -p "$tmpd"
  local i=0 f parts=()
  for f in "$root"/alpha/*.ogg "$root"/syllab/*.ogg; do
    i=$((i + 1))
    local p; p="$(printf '%s/%03d.wav' "$tmpd" "$i")"
    ffmpeg -nostdin -v error -y -i "$f" -ac 1 -c:a pcm_f32le "$p.raw.wav"
    # trim leading/trailing silence below -45 dBFS, then 0.25 s of silence after each clip
    sox -V1 "$p.raw.wav" "$p" silence 1 0.01 -45d reverse silence 1 0.01 -45d reverse pad 0 0.25
    parts+=("$p")
  done
  sox -V1 "${parts[@]}" "$tmpd/all.wav"
  to_s16 "$tmpd/all.wav" "$out" rate -v "$rate"
  rm -rf "$tmpd"
}

# speech_freedesktop NAME: the spoken channel names of the freedesktop sound theme, 48 kHz
speech_freedesktop() {
  local name="$1" out="$WAV/$1.wav"
  [[ -s "$out" && "$FORCE" != 1 ]] && return 0
  fetch sound-theme-freedesktop
  local root="$X/sound-theme-freedesktop/usr/share/sounds/freedesktop/stereo" tmpd="$DATA/tmp.$name"
  rm -rf "$tmpd"; mkdir -p "$tmpd"
  local f parts=()
  for f in "$root"/audio-channel-*.oga; do
    local p="$tmpd/$(basename "$f" .oga).wav"
    ffmpeg -nostdin -v error -y -i "$f" -ac 1 -c:a pcm_f32le "$p.raw.wav"
    sox -V1 "$p.raw.wav" "$p" pad 0 0.2
    parts+=("$p")
  done
  # two passes over the nine clips so the file is long enough for rate control (> 10 s)
  sox -V1 "${parts[@]}" "${parts[@]}" "$tmpd/all.wav"
  to_s16 "$tmpd/all.wav" "$out"
  rm -rf "$tmpd"
}

# speech_tts NAME RATE: espeak-ng reading a fixed paragraph (synthesized; supplement only)
TTS_TEXT="The quick brown fox jumps over the lazy dog, while seven small birds sing quietly \
in the morning light. A codec that keeps speech intelligible at two bits per sample must \
spend its bits where the ear will notice them: on the formants, the onsets of consonants, \
and the pitch of the voice. Numbers such as three hundred and forty two, or nineteen \
eighty four, test the fricatives and the vowels alike."
speech_tts() {
  local name="$1" rate="$2" out="$WAV/$1.wav"
  [[ -s "$out" && "$FORCE" != 1 ]] && return 0
  local tmp="$DATA/tmp.$name.wav"
  espeak-ng -v en-us -s 160 -w "$tmp" "$TTS_TEXT"
  to_s16 "$tmp" "$out" rate -v "$rate"
  rm -f "$tmp"
}

need_tools
music   music_44k_stereo  chaos_god              60 30 44100
music   music_48k_stereo  armygeddon             40 30 48000
music   music_16k_stereo  mutilated_mime         50 30 16000
music   speed_60s_44k_stereo internal_degeneration 30 60 44100
music   music_sectoid_44k_stereo "Escape from chaosland" 60 30 44100 fretsonfire-songs-sectoid sectoid
music_track music_singularity_48k_stereo singularity-music "usr/share/games/singularity/music/Media Threat.ogg" 60 30
speech_klettres    speech_16k_mono 16000
speech_klettres    speech_44k_mono 44100
speech_klettres    speech_fr_16k_mono 16000 fr
speech_klettres    speech_de_16k_mono 16000 de
speech_freedesktop speech_48k_mono
speech_tts         speech_tts_16k_mono 16000

# --- manifest -------------------------------------------------------------------
fd_ver="$(version_of sound-theme-freedesktop)"
mj_ver="$(version_of fretsonfire-songs-muldjord)"
kl_ver="$(version_of klettres-data)"
sc_ver="$(version_of fretsonfire-songs-sectoid)"
sg_ver="$(version_of singularity-music)"
tts_ver="$(dpkg-query -W -f='${Version}' espeak-ng 2>/dev/null || echo unknown)"
mj="usr/share/games/fretsonfire/data/songs/muldjord"
{
  printf 'name\tpath\tsample_rate\tchannels\tframes\tduration_s\tkind\tpackage\tversion\tsource\tcut\tsha256\n'
  row() { # name kind package version source cut
    local f="$WAV/$1.wav"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "wav/$1.wav" \
      "$(soxi -r "$f")" "$(soxi -c "$f")" "$(soxi -s "$f")" "$(soxi -D "$f")" "$2" "$3" "$4" "$5" "$6" \
      "$(sha256sum "$f" | cut -c1-16)"
  }
  row music_44k_stereo music fretsonfire-songs-muldjord "$mj_ver" "$mj/chaos_god/{song,guitar}.ogg" \
    "stems summed, 60-90 s, peak -1 dBFS"
  row music_48k_stereo music fretsonfire-songs-muldjord "$mj_ver" "$mj/armygeddon/{song,guitar}.ogg" \
    "stems summed, 40-70 s, resampled 44.1->48 kHz (sox rate -v), peak -1 dBFS"
  row music_16k_stereo music fretsonfire-songs-muldjord "$mj_ver" "$mj/mutilated_mime/{song,guitar}.ogg" \
    "stems summed, 50-80 s, resampled 44.1->16 kHz (sox rate -v), peak -1 dBFS"
  row speech_16k_mono speech klettres-data "$kl_ver" "usr/share/klettres/en/{alpha,syllab}/*.ogg" \
    "45 clips silence-trimmed, 0.25 s gaps, resampled 44.1->16 kHz, peak -1 dBFS"
  row speech_44k_mono speech klettres-data "$kl_ver" "usr/share/klettres/en/{alpha,syllab}/*.ogg" \
    "45 clips silence-trimmed, 0.25 s gaps, native 44.1 kHz, peak -1 dBFS"
  row speech_48k_mono speech sound-theme-freedesktop "$fd_ver" "usr/share/sounds/freedesktop/stereo/audio-channel-*.oga" \
    "9 clips x2, 0.2 s gaps, native 48 kHz, peak -1 dBFS"
  row speech_tts_16k_mono speech-tts espeak-ng "$tts_ver" "espeak-ng -v en-us -s 160 (fixed text)" \
    "synthesized 22.05 kHz, resampled to 16 kHz, peak -1 dBFS"
  row music_sectoid_44k_stereo music fretsonfire-songs-sectoid "$sc_ver" \
    "usr/share/games/fretsonfire/data/songs/sectoid/Escape from chaosland/{song,guitar}.ogg" \
    "stems summed, 60-90 s, peak -1 dBFS (Sectoid, Expat licence)"
  row music_singularity_48k_stereo music singularity-music "$sg_ver" \
    "usr/share/games/singularity/music/Media Threat.ogg" \
    "60-90 s, native 48 kHz stereo, peak -1 dBFS (Max McCracken, CC BY-SA 3.0)"
  row speech_fr_16k_mono speech klettres-data "$kl_ver" "usr/share/klettres/fr/{alpha,syllab}/*.ogg" \
    "54 clips (a French speaker) silence-trimmed, 0.25 s gaps, resampled 44.1->16 kHz, peak -1 dBFS"
  row speech_de_16k_mono speech klettres-data "$kl_ver" "usr/share/klettres/de/{alpha,syllab}/*.ogg" \
    "64 clips (a German speaker) silence-trimmed, 0.25 s gaps, resampled 44.1->16 kHz, peak -1 dBFS"
  row speed_60s_44k_stereo speed fretsonfire-songs-muldjord "$mj_ver" "$mj/internal_degeneration/{song,guitar}.ogg" \
    "stems summed, 30-90 s, peak -1 dBFS"
} > "$MANIFEST.part"
mv "$MANIFEST.part" "$MANIFEST"

echo "recordings in $WAV (manifest: $MANIFEST)"
column -t -s $'\t' <(cut -f1,3-9,12 "$MANIFEST")
