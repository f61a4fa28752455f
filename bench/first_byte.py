#!/usr/bin/env python3
"""How soon decoded audio reaches a pipe: time to the first byte of `tqa decode IN.tqa -o -`.

    python3 bench/first_byte.py [--duration 600] [--runs 5]     (TQA_BIN=path for another binary)

Synthesizes --duration seconds of 44.1 kHz stereo (`tqa synth --type demo`), encodes it with
turbo (defaults) and spectral (2 bits/sample), then decodes each to a pipe this script reads,
one thread, and prints the median time from start to the first byte and to the last. A decoder
that streams gives its first bytes after one packet's work, whatever the length of the file
(issue 14: within 0.1 s for a 10-minute file).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from common import Stopwatch, fmt, require_tqa, run_command


def first_and_last(cmd: list) -> tuple:
    clock = Stopwatch()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = None
    while True:
        chunk = p.stdout.read1(1 << 16)
        if not chunk:
            break
        if first is None:
            first = clock.seconds
    if p.wait() != 0:
        sys.exit(f"error: {' '.join(cmd)} exited with {p.returncode}")
    return first, clock.seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=600, help="seconds of audio (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    tqa = require_tqa()
    with tempfile.TemporaryDirectory() as d:
        wav = os.path.join(d, "in.wav")
        run_command([tqa, "synth", "--type", "demo", "--duration", str(a.duration), "--sample-rate", "44100",
                     "--channels", "2", "-o", wav])
        print(f"{a.duration} s of 44.1 kHz stereo (tqa synth --type demo), decoded to a pipe, one thread, median of {a.runs}\n")
        print("| codec | first byte s | whole decode s |")
        print("| --- | --- | --- |")
        for name, options in (("turbo", ["--codec", "turbo"]), ("spectral 2 b/s", ["--codec", "spectral", "--bits-per-sample", "2"])):
            tqa_file = os.path.join(d, "x.tqa")
            run_command([tqa, "encode", wav, "-o", tqa_file, "--force"] + options)
            runs = [first_and_last([tqa, "decode", tqa_file, "-o", "-", "--threads", "1"]) for _ in range(a.runs)]
            print(f"| {name} | {fmt(statistics.median(r[0] for r in runs), 3)} | {fmt(statistics.median(r[1] for r in runs), 3)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
