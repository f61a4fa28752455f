#!/usr/bin/env bash
# Builds the libFuzzer targets (ASan + libFuzzer, Swift toolchain only), makes a seed corpus with
# the project's own writers, runs each target for a bounded time and prints a summary.
#
#   bash fuzz/run.sh [--seconds N] [--targets "wav tqa checkpoint pickle roundtrip sqcodec"] [--keep-corpus]
#   (target sqcodec fuzzes both neural packet decoders, sqcodec and l3ac)
#
# Targets: wav (WAVReader), tqa (TQAReader + every codec decoder, strict and salvage),
# checkpoint (SQCodec's torch zip/pickle and safetensors loaders), pickle (PickleReader on
# pickles expanded from (count, opcodes) records, so nesting tens of thousands deep), roundtrip (any readable WAV
# encoded with turbo or spectral and decoded: same shape, finite samples).
# Everything goes to .build-fuzz/ (git-ignored). Exit status 1 if any target crashed, hung,
# leaked past the RSS limit or made an allocation over the malloc limit; the input is saved as
# .build-fuzz/artifacts/<target>-crash-* (add it to Tests/tqaTests/FuzzRegressionTests.swift).
set -euo pipefail

seconds=30
targets="wav tqa checkpoint pickle roundtrip sqcodec"
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --targets) targets="$2"; shift 2 ;;
        --keep-corpus) keep=1; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "fuzz/run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=.build-fuzz
obj=$out/obj
mkdir -p "$obj" "$out/artifacts"

swiftc=${SWIFTC:-swiftc}
if ! command -v "$swiftc" >/dev/null; then echo "fuzz/run.sh: swiftc not found" >&2; exit 2; fi
resource_dir=$(dirname "$(dirname "$(command -v "$swiftc")")")
if ! find "$resource_dir" -name 'libclang_rt.fuzzer-*.a' 2>/dev/null | grep -q .; then
    echo "fuzz/run.sh: this toolchain has no libFuzzer runtime (libclang_rt.fuzzer); skipping" >&2
    exit 0
fi

flags=(-sanitize=fuzzer,address -parse-as-library -O -wmo -I "$obj")
quiet() { grep -v -e 'ld.gold: warning: Cannot export local symbol' -e '^$' || true; }

# Rebuilds $1 when it is missing or older than any of the files after it.
stale() {
    local target=$1; shift
    [ -e "$target" ] || return 0
    [ -n "$(find "$@" -newer "$target" 2>/dev/null | head -1)" ]
}

module() {  # name, sources...
    local name=$1; shift
    if stale "$obj/$name.o" "$@" fuzz/run.sh; then
        echo "building module $name" >&2
        "$swiftc" "${flags[@]}" -emit-module -emit-object -module-name "$name" \
            -emit-module-path "$obj/$name.swiftmodule" "$@" -o "$obj/$name.o" 2>&1 | quiet
        [ -e "$obj/$name.o" ] || { echo "fuzz/run.sh: building $name failed" >&2; exit 2; }
    fi
}

# A target's sources: every .swift file under its folder, at any depth, as SwiftPM compiles them
# (TurboQuant keeps Classic/, Spectral/ and Shared/; SQCodec one folder per part).
sources() { find "Sources/$1" -name '*.swift' | LC_ALL=C sort; }
for target in TQAudio TQContainer TurboQuant SQCodec TQCodecs; do
    mapfile -t files < <(sources "$target")
    [ ${#files[@]} -gt 0 ] || { echo "fuzz/run.sh: no sources under Sources/$target" >&2; exit 2; }
    module "$target" "${files[@]}"
done
libs=("$obj/TQAudio.o" "$obj/TQContainer.o" "$obj/TurboQuant.o")

link() {  # binary, module name, sources and objects...
    local bin=$1 name=$2; shift 2
    if stale "$out/$bin" "$@" fuzz/run.sh; then
        echo "linking $bin" >&2
        rm -f "$out/$bin"
        "$swiftc" "${flags[@]}" -module-name "$name" "$@" -o "$out/$bin" 2>&1 | quiet
        [ -e "$out/$bin" ] || { echo "fuzz/run.sh: linking $bin failed" >&2; exit 2; }
    fi
}
link fuzz-wav FuzzWAVReader fuzz/FuzzWAVReader.swift "$obj/TQAudio.o"
# The decoders are looked up in TQCodecs' table of every codec, so these link SQCodec too.
codecs=("${libs[@]}" "$obj/SQCodec.o" "$obj/TQCodecs.o")
link fuzz-tqa FuzzTQADecoder fuzz/FuzzTQADecoder.swift "${codecs[@]}"
link fuzz-roundtrip FuzzRoundTrip fuzz/FuzzRoundTrip.swift "${codecs[@]}"
link fuzz-sqcodec FuzzSQCodec fuzz/FuzzSQCodec.swift "$obj/TQAudio.o" "$obj/TQContainer.o" "$obj/SQCodec.o"
# The checkpoint loaders are internal to SQCodec: the harness is compiled into their module.
link fuzz-checkpoint SQCodecCheckpoint fuzz/FuzzCheckpoint.swift Sources/SQCodec/Checkpoint/*.swift "$obj/TQContainer.o" "$obj/TQAudio.o"
link fuzz-pickle SQCodecPickle fuzz/FuzzPickleNesting.swift Sources/SQCodec/Checkpoint/*.swift "$obj/TQContainer.o" "$obj/TQAudio.o"
# The seed generator has its own main, so it links without libFuzzer's.
if stale "$out/seed-corpus" fuzz/SeedCorpus.swift "${libs[@]}"; then
    echo "linking seed-corpus" >&2
    "$swiftc" -parse-as-library -O -I "$obj" -sanitize=address -module-name SeedCorpus fuzz/SeedCorpus.swift "${libs[@]}" \
        -o "$out/seed-corpus" 2>&1 | quiet
fi

# Seeds are made fresh each run; the working corpus starts empty unless --keep-corpus.
seeds=$out/seeds
rm -rf "$seeds"
"$out/seed-corpus" "$seeds"
# The golden files too: every codec and parameter version the project pins.
cp Tests/tqaTests/Golden/*.tqa "$seeds/tqa/"
mkdir -p "$seeds/checkpoint"
for f in Tests/SQCodecTests/Fixtures/*/quantizer.pt Tests/SQCodecTests/Fixtures/*/quantizer.safetensors; do
    [ -e "$f" ] && cp "$f" "$seeds/checkpoint/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# Neural packets (frames u16 LE, first block, payload): whole and short last blocks of the tiny
# models' packets, zero tokens of every payload length up to 32 bytes (the valid ones among them).
mkdir -p "$seeds/sqcodec"
for frames in '\xc0\x00' '\x00\x01' '\x54\x00'; do
    for n in $(seq 1 32); do
        { printf "$frames\x00"; head -c "$n" /dev/zero; } >"$seeds/sqcodec/zeros-$n-$(printf "$frames" | od -An -tx1 | tr -d ' ')"
    done
done

# Pickle records (count u16 LE, length, opcodes): nested tuples, lists in dicts, MARK/TUPLE via the memo.
mkdir -p "$seeds/pickle"
printf '\x01\x00\x01N\x50\xc3\x01\x85' >"$seeds/pickle/tuples"
printf '\x01\x00\x01}\x40\x00\x05}\x8c\x01k]\x01\x00\x01N\x40\x00\x02as' >"$seeds/pickle/lists-in-dicts"
printf '\x01\x00\x01N\x48\x00\x06(q\x00h\x00t' >"$seeds/pickle/memo-tuples"

status=0
summary=()
for t in $targets; do
    seed_dir=$t
    case $t in
        wav) bin=fuzz-wav; maxlen=4096 ;;
        tqa) bin=fuzz-tqa; maxlen=4096 ;;
        checkpoint) bin=fuzz-checkpoint; maxlen=8192 ;;
        pickle) bin=fuzz-pickle; maxlen=512 ;;
        roundtrip) bin=fuzz-roundtrip; maxlen=4096; seed_dir=wav ;;
        sqcodec) bin=fuzz-sqcodec; maxlen=2048 ;;
        *) echo "fuzz/run.sh: unknown target $t" >&2; exit 2 ;;
    esac
    corpus=$out/corpus/$t
    [ $keep = 1 ] || rm -rf "$corpus"
    mkdir -p "$corpus"
    log=$out/$t.log
    echo "fuzzing $t for $seconds s (max_len $maxlen, malloc limit 64 MB)" >&2
    # -malloc_limit_mb: any single allocation over 64 MB is a failure (inputs are at most 8 kB,
    # so that is far beyond 2x the input); -rss_limit_mb covers ASan's own overhead.
    set +e
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=0 "$out/$bin" "$corpus" "$seeds/$seed_dir" \
        -max_total_time="$seconds" -max_len=$maxlen -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=64 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    speed=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
    files=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'corp: [0-9]+' | awk '{print $2}')
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+' | awk '{print $2}')
    if [ $rc -ne 0 ]; then
        status=1
        result="FAILED (exit $rc): $(grep -m1 -E 'ERROR|Fatal error|deadly signal|out-of-memory|malloc\(|timeout' "$log" || echo 'see log')"
        echo "---- $log (tail) ----" >&2; tail -40 "$log" >&2
    else
        result="ok"
    fi
    summary+=("$(printf '%-11s %10s execs %8s/s  corpus %5s inputs  cov %5s  %s' "$t" "${execs:-?}" "${speed:-?}" "$files" "${cov:-?}" "$result")")
done

echo
echo "fuzz summary ($seconds s per target; logs and crashes in $out/)"
for line in "${summary[@]}"; do echo "  $line"; done
ls "$out"/artifacts 2>/dev/null | sed 's/^/  artifact: /' || true
exit $status
