#!/usr/bin/env python3
"""Speed of two tqa builds side by side: did a change make turbo or spectral slower?

    python3 bench/compare_builds.py OLD_TQA NEW_TQA [--input IN.wav] [--runs 5] [--duration 60]

Encodes IN.wav (default: the real 60 s 44.1 kHz stereo recording of bench/fetch_recordings.sh when
it is there, else `tqa synth --type demo` of --duration seconds at 44.1 kHz stereo) file to file with each build, as
turbo (defaults) and spectral (2 bits/sample), and decodes each result, one thread
(`--threads 1`, under `taskset -c 1` when available), alternating the two builds run by run so
that both see the same machine. Prints the median wall seconds of each, the ratio new/old, and
whether the two builds wrote the same bytes. Build both in release mode, e.g.

    git worktree add --detach ../old REV && (cd ../old && swift build -c release)
    swift build -c release
    python3 bench/compare_builds.py ../old/.build/release/tqa .build/release/tqa
"""
import argparse
import filecmp
import os
import shutil
import statistics
import sys
import tempfile

from common import BENCH, Stopwatch, fmt, run_command

RECORDING = os.path.join(BENCH, "data", "wav", "speed_60s_44k_stereo.wav")
CASES = [("turbo", ["--codec", "turbo"]), ("spectral 2 b/s", ["--codec", "spectral", "--bits-per-sample", "2"])]


def timed(cmd: list) -> float:
    pin = ["taskset", "-c", "1"] if shutil.which("taskset") else []
    clock = Stopwatch()
    run_command(pin + cmd)
    return clock.seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--input", help="the WAV to encode (default: the 60 s recording, else a synthesized demo)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--duration", type=int, default=60, help="seconds of the synthesized input (default: %(default)s)")
    a = ap.parse_args()
    for b in (a.old, a.new):
        if not os.access(b, os.X_OK):
            sys.exit(f"error: {b} is not an executable tqa build")
    with tempfile.TemporaryDirectory() as d:
        source = a.input or (RECORDING if os.path.exists(RECORDING) else None)
        described = source
        if source is None:
            source = os.path.join(d, "in.wav")
            run_command([a.new, "synth", "--type", "demo", "--duration", str(a.duration), "--sample-rate", "44100", "--channels", "2", "-o", source])
            described = f"tqa synth --type demo --duration {a.duration} --sample-rate 44100 --channels 2"
        print(f"input: {described}")
        print(f"{a.runs} runs each, one thread, alternating builds; median wall seconds\n")
        print("| case | step | old s | new s | new/old | same bytes |")
        print("| --- | --- | --- | --- | --- | --- |")
        worst = 0.0
        for name, options in CASES:
            times = {(b, s): [] for b in ("old", "new") for s in ("encode", "decode")}
            for _ in range(a.runs):
                for b, binary in (("old", a.old), ("new", a.new)):
                    tqa, wav = os.path.join(d, f"{b}.tqa"), os.path.join(d, f"{b}.wav")
                    times[(b, "encode")].append(timed([binary, "encode", source, "-o", tqa, "--threads", "1", "--force", "--quiet"] + options))
                    times[(b, "decode")].append(timed([binary, "decode", tqa, "-o", wav, "--threads", "1", "--force", "--quiet"]))
            same = {"encode": filecmp.cmp(os.path.join(d, "old.tqa"), os.path.join(d, "new.tqa"), shallow=False),
                    "decode": filecmp.cmp(os.path.join(d, "old.wav"), os.path.join(d, "new.wav"), shallow=False)}
            for step in ("encode", "decode"):
                old, new = statistics.median(times[("old", step)]), statistics.median(times[("new", step)])
                worst = max(worst, new / old)
                print(f"| {name} | {step} | {fmt(old, 3)} | {fmt(new, 3)} | {fmt(new / old, 3)} | {'yes' if same[step] else 'NO'} |")
        print(f"\nslowest step: new/old = {fmt(worst, 3)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
