#!/usr/bin/env python3
"""Encode/decode speed of tqa, flac -5 and the seed on the 60 s 44.1 kHz stereo file.

    bash bench/speed.sh [--runs 5] [--all-cores] [--no-seed] [--no-tqa-bench] [--build]

1. `tqa bench --input FILE` (its own single-core and all-core figures, and its own
   flac/seed runs), printed as is; then
   `tqa bench --input FILE --codec spectral --bits-per-sample 4 --no-seed`.
2. Timed here, in the same run, on bench/data/wav/speed_60s_44k_stereo.wav:
   tqa encode/decode with the classic codec (`--codec turbo`), flac -5 encode and
   decode, and the seed's `tqa-cli run` (encode + decode in one process: it cannot
   do one without the other), plus the seed's stages timed apart through its library.
   Each command runs under `taskset -c 1` (one core) unless --all-cores; hyperfine
   (--warmup 1, median of --runs) when installed, else Python timing, median.
Prints wall seconds, × real time, and the ratios tqa / flac and tqa / seed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import evaluate
import peer_codecs as pc
from common import BENCH, ROOT, SETUP, TQA_BIN, VENV, build_tqa, require_file, require_tools, require_tqa, run_command

SPEED_FILE = os.path.join(BENCH, "data", "wav", "speed_60s_44k_stereo.wav")

SEED_STAGES = r"""
import json, sys
sys.path.insert(0, sys.argv[2])   # bench/, for its one timer
from common import Stopwatch
from audiotq.engine import TurboAudioEngine
from audiotq.wrapper import WavFileWrapper
x, sr = WavFileWrapper.read_wav(sys.argv[1])
eng = TurboAudioEngine(block_size=512)   # what its CLI `run` uses
clock = Stopwatch(); blocks, meta = eng.compress_signal(x); encode_s = clock.seconds
clock = Stopwatch(); y = eng.decompress_signal(blocks, meta); decode_s = clock.seconds
print(json.dumps({"encode_s": encode_s, "decode_s": decode_s}))
"""


def pinned(cmd: str, all_cores: bool) -> str:
    return cmd if all_cores or not shutil.which("taskset") else f"taskset -c 1 {cmd}"


def time_command(cmd: str, prepare: str | None, runs: int) -> float:
    """Median wall seconds of a shell command over `runs` runs after one warm-up."""
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tf:
            out = tf.name
        hf = ["hyperfine", "-N" if not prepare and "|" not in cmd else "--shell=bash", "--warmup", "1",
              "--runs", str(runs), "--export-json", out, "--style", "none"]
        hf = [h for h in hf if h]
        if prepare:
            hf += ["--prepare", prepare]
        p = subprocess.run(hf + [cmd], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"hyperfine failed on `{cmd}`: {p.stderr.strip()[-400:]}")
        with open(out) as f:
            res = json.load(f)["results"][0]
        os.remove(out)
        return float(res["median"])
    times = []
    for i in range(runs + 1):
        if prepare:
            run_command(["bash", "-c", prepare])
        seconds = run_command(["bash", "-c", cmd]).seconds
        if i:  # the first run is the warm-up
            times.append(seconds)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--all-cores", action="store_true", help="do not pin to one core")
    ap.add_argument("--no-seed", action="store_true")
    ap.add_argument("--no-tqa-bench", action="store_true", help="skip `tqa bench`")
    ap.add_argument("--input", default=SPEED_FILE)
    ap.add_argument("--build", action="store_true", help="swift build -c release --product tqa first")
    a = ap.parse_args()
    require_file(a.input, "bash bench/fetch_recordings.sh")
    require_tools("flac")
    if a.build:
        build_tqa()
    require_tqa()
    seed_cli = os.path.join(VENV, "bin", "tqa-cli")
    if not a.no_seed and not os.access(seed_cli, os.X_OK):
        sys.exit(f"error: {seed_cli} is missing: run {SETUP} once (or pass --no-seed)")
    audio = evaluate.read_wav(a.input)
    dur = audio.frames / audio.sample_rate
    work = os.path.join(BENCH, "work", "speed")
    os.makedirs(work, exist_ok=True)
    inp = os.path.relpath(a.input, ROOT)
    os.chdir(ROOT)
    print(f"# Speed: {inp}, {dur:.1f} s, {audio.sample_rate} Hz, {audio.channels} ch; "
          f"{'all cores' if a.all_cores else 'one core (taskset -c 1)'}; "
          f"{'hyperfine' if shutil.which('hyperfine') else 'python timing'}, median of {a.runs}\n")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (other work on this 2-core machine skews the figures)\n")

    if not a.no_tqa_bench:
        for extra in ([], ["--codec", "spectral", "--bits-per-sample", "4", "--no-seed"]):
            cmd = [TQA_BIN, "bench", "--input", a.input] + extra
            shown = " ".join(os.path.relpath(c, ROOT) if c.startswith("/") else c for c in cmd)
            print(f"## `{shown}`\n\n```")
            sys.stdout.flush()
            # the seed's tqa-cli lives in bench's venv: put it on PATH so `tqa bench` finds it
            env = dict(os.environ, PATH=os.path.join(VENV, "bin") + os.pathsep + os.environ.get("PATH", ""))
            p = subprocess.run(cmd, capture_output=True, text=True, env=env)
            print((p.stdout + p.stderr).strip())
            print("```\n")

    rows = []  # (name, stage, seconds, command)
    tqa_rel = os.path.relpath(TQA_BIN, ROOT)
    w = os.path.relpath(work, ROOT)
    one = "" if a.all_cores else " --threads 1"
    enc = pinned(f"{tqa_rel} encode {inp} -o {w}/speed.tqa --codec turbo{one}", a.all_cores)
    rows.append(("tqa turbo", "encode", time_command(enc, f"rm -f {w}/speed.tqa", a.runs), enc))
    dec = pinned(f"{tqa_rel} decode {w}/speed.tqa -o {w}/speed.tqa.wav{one}", a.all_cores)
    rows.append(("tqa turbo", "decode", time_command(dec, f"rm -f {w}/speed.tqa.wav", a.runs), dec))
    enc = pinned(f"flac -s -f -5 -o {w}/speed.flac {inp}", a.all_cores)
    rows.append(("flac -5", "encode", time_command(enc, None, a.runs), enc))
    dec = pinned(f"flac -s -f -d -o {w}/speed.flac.wav {w}/speed.flac", a.all_cores)
    rows.append(("flac -5", "decode", time_command(dec, None, a.runs), dec))
    if not a.no_seed:
        run = pinned(f"{os.path.relpath(seed_cli, ROOT)} run -i {inp} -o {w}/speed.seed.wav", a.all_cores)
        rows.append(("seed audiotq 0.1.1", "encode+decode (CLI)", run_command(["bash", "-c", run]).seconds, run))
        py = os.path.join(VENV, "bin", "python")
        stages = pinned(f"{os.path.relpath(py, ROOT)} -c '<engine stages>' {inp}", a.all_cores)
        cmd = ([] if a.all_cores or not shutil.which("taskset") else ["taskset", "-c", "1"]) + [py, "-c", SEED_STAGES, a.input, BENCH]
        st = json.loads(run_command(cmd).stdout.strip().splitlines()[-1])
        rows.append(("seed audiotq 0.1.1", "encode (library)", st["encode_s"], stages))
        rows.append(("seed audiotq 0.1.1", "decode (library)", st["decode_s"], stages))

    print("| codec | stage | seconds | × real time | command |\n|---|---|---|---|---|")
    for name, stage, s, cmd in rows:
        print(f"| {name} | {stage} | {s:.3f} | {dur / s:.0f} | `{cmd}` |")
    print()
    get = {(n, st): s for n, st, s, _ in rows}
    for stage in ("encode", "decode"):
        t = get.get(("tqa turbo", stage))
        f = get.get(("flac -5", stage))
        sd = get.get(("seed audiotq 0.1.1", f"{stage} (library)"))
        if t and f:
            print(f"- tqa {stage} / flac -5 {stage} speed: {f / t:.2f}×")
        if t and sd:
            print(f"- tqa {stage} / seed {stage} speed: {sd / t:.1f}×")
        if f and sd:
            print(f"- flac -5 {stage} / seed {stage} speed: {sd / f:.0f}×")
    if ("tqa turbo", "encode") in get and ("seed audiotq 0.1.1", "encode+decode (CLI)") in get:
        both = get[("tqa turbo", "encode")] + get[("tqa turbo", "decode")]
        print(f"- tqa encode+decode / seed CLI run: {get[('seed audiotq 0.1.1', 'encode+decode (CLI)')] / both:.1f}×")
    v = pc.tool_versions()
    print(f"\nversions: {v['flac']}; {v['audiotq']}; tqa {v['tqa']}; hyperfine "
          f"{subprocess.run(['hyperfine', '--version'], capture_output=True, text=True).stdout.strip() if shutil.which('hyperfine') else 'absent'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
