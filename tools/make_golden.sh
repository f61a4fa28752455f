#!/usr/bin/env bash
# Rewrites the golden files Tests/tqaTests/Golden/NAME.tqa and NAME.wav from the table in
# Tests/tqaTests/Golden/MANIFEST.md, with the release build of tqa (or $TQA_BINARY).
#
# Run it only when a bitstream or a decoder's output changes on purpose: GoldenTests exists to
# catch the changes nobody meant. Commit the new files with a message that says why they changed.
#
# Every file is made twice, with --threads 1 and with the default thread count, and the script
# stops if the two differ: a golden must not depend on the machine's core count.
#
#   bash tools/make_golden.sh              # all rows
#   bash tools/make_golden.sh spectral     # rows whose name contains "spectral"
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
golden="$root/Tests/tqaTests/Golden"
manifest="$golden/MANIFEST.md"
filter=${1:-}

if [[ -z "${TQA_BINARY:-}" ]]; then
    (cd "$root" && swift build -c release --product tqa)
    TQA_BINARY="$root/.build/release/tqa"
fi
tqa=$TQA_BINARY
echo "using $tqa"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

trim() { local s=${1//\`/}; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

rows=0
while IFS='|' read -r _ name codec version weights synth encode decode _; do
    name=$(trim "$name")
    [[ -z "$name" || "$name" == name || "$name" == ---* ]] && continue
    [[ -n "$filter" && "$name" != *"$filter"* ]] && continue
    weights=$(trim "$weights"); synth=$(trim "$synth"); encode=$(trim "$encode"); decode=$(trim "$decode")
    # A retired parameter version (GoldenFile.decodeOnly): today's encoder cannot remake it.
    if [[ "$encode" == "decode only:"* ]]; then echo "$name: decode only, kept"; continue; fi
    extra=()
    if [[ -n "$weights" ]]; then
        dir="$work/weights-${weights//[^A-Za-z0-9_]/_}"
        [[ -d "$dir" ]] || "$tqa" models --random-weights "$dir" $weights > /dev/null
        extra=(--weights "$dir")
    fi
    "$tqa" synth $synth -o "$work/$name.src.wav" --force > /dev/null
    "$tqa" encode "$work/$name.src.wav" -o "$golden/$name.tqa" $encode "${extra[@]}" --force --quiet
    "$tqa" encode "$work/$name.src.wav" -o "$work/$name.1.tqa" $encode "${extra[@]}" --threads 1 --force --quiet
    cmp "$golden/$name.tqa" "$work/$name.1.tqa" || { echo "error: $name: the encoding depends on the thread count" >&2; exit 1; }
    "$tqa" decode "$golden/$name.tqa" -o "$golden/$name.wav" $decode "${extra[@]}" --force --quiet
    "$tqa" decode "$golden/$name.tqa" -o "$work/$name.1.wav" $decode "${extra[@]}" --threads 1 --force --quiet
    cmp "$golden/$name.wav" "$work/$name.1.wav" || { echo "error: $name: the decoding depends on the thread count" >&2; exit 1; }
    printf '%-44s %-8s v%-2s %7d B .tqa %7d B .wav\n' "$name" "$(trim "$codec")" "$(trim "$version")" \
        "$(wc -c < "$golden/$name.tqa")" "$(wc -c < "$golden/$name.wav")"
    rows=$((rows + 1))
done < <(grep '^|' "$manifest")

echo "$rows golden files written to $golden"
