#!/usr/bin/env python3
"""SQCodec and L3AC long inputs (issue 16): `tqa decode` packet by packet (the default) and `tqa
decode --whole` against the PyTorch reference's whole-input decode, same weights, same 60 s of speech.

Run through bench/sqcodec_whole.sh (the reference venv of tools/reference and the tqa binary).
For each model:

  1. `tqa models --random-weights DIR --model M --seed 1` (`--codec l3ac` for `l3ac:NAME` models,
     as bench/sqcodec_speed.py); PyTorch loads the same tensors into sq-codec's `SQCodec` or l3ac's
     `L3AC` (`reference_codec` in sqcodec_speed.py).
  2. PyTorch: `encode_audio` of the whole input -> tokens, `decode_audio(indices=...)` of
     those tokens -> the reference audio; and `decode_audio` of tqa's tokens when they differ.
  3. tqa encode (default packets), `tqa tokens --json`: agreement with torch's tokens.
  4. tqa decode (packet by packet) and tqa decode --whole, as f32 WAV, each against torch's
     decode of the same tokens (the tokens in the .tqa): SNR in dB. Peak memory (max RSS) of
     --whole at --seconds and at --long-seconds gives its growth in MB per minute.

Output: markdown on stdout and in --out; raw numbers in WORK/whole.json.
"""
import argparse
import json
import os
import platform
import sys
import tempfile

import numpy as np

import evaluate
from common import BENCH, ROOT, TQA_BIN, build_tqa, cpu_model, run_command, utc_now
from sqcodec_speed import (L3AC_MODELS, MODELS, encode_tokens, family_of, make_input, model_rate, model_workdir, peak_kb,
                           reference_codec, wav_seconds, log)


def read_wav(path):
    """The first channel of a WAV as float64 (evaluate.py's reader)."""
    return evaluate.read_wav(path).samples[:, 0]


def snr_db(ref, x):
    """evaluate.py's SNR over the samples both have."""
    n = min(len(ref), len(x))
    return evaluate.snr_db(np.asarray(ref[:n], dtype=np.float64), np.asarray(x[:n], dtype=np.float64))


def torch_side(family, model, weights, wav, tqa_tokens_path, out_npz):
    """Tokens and whole-input decodes of the reference, one thread."""
    import torch
    codec = reference_codec(model, weights, family)
    torch.set_num_threads(1)
    audio = torch.from_numpy(read_wav(wav).astype(np.float32))[None]
    with torch.inference_mode():
        indices = encode_tokens(codec, audio)
        ref = codec.decode_audio(indices=indices)
        with open(tqa_tokens_path) as f:
            theirs = json.load(f)["channels"][0]
        mine = indices.reshape(-1).to(torch.int64).tolist()
        if theirs == mine:
            ref_tqa = ref
        else:
            ref_tqa = codec.decode_audio(indices=torch.tensor(theirs, dtype=indices.dtype).reshape(indices.shape))
    np.savez(out_npz, tokens=np.array(mine), decoded=ref.reshape(-1).numpy(),
             decoded_tqa_tokens=ref_tqa.reshape(-1).numpy())


def measure(a, spec, work):
    family, model, rate, d, weights = model_workdir(a, spec, work)
    wav = make_input(os.path.join(work, f"speech_{a.seconds:g}s_{rate // 1000}k.wav"), rate, a.seconds)
    tq, tokens_json = os.path.join(d, "x.tqa"), os.path.join(d, "tokens.json")
    run_command([a.tqa, "encode", wav, "-o", tq, "--codec", family, "--model", model, "--weights", weights,
                 "--threads", str(a.threads), "--force", "--quiet"])
    with open(tokens_json, "w") as f:
        f.write(run_command([a.tqa, "tokens", "--json", tq]).stdout)
    log(f"[{spec}] torch: whole-input encode and decode")
    npz = os.path.join(d, "torch.npz")
    run_command([sys.executable, os.path.abspath(__file__), "--torch-worker", "--family", family, "--model", model, "--weights", weights,
                 "--wav", wav, "--tokens", tokens_json, "--worker-out", npz])
    t = np.load(npz)
    with open(tokens_json) as f:
        mine = json.load(f)["channels"][0]
    ref_tokens = t["tokens"].tolist()
    n = min(len(mine), len(ref_tokens))
    r = {"model": spec, "seconds": wav_seconds(wav),
         "tokens": {"torch": len(ref_tokens), "tqa": len(mine), "same": sum(x == y for x, y in zip(mine[:n], ref_tokens[:n]))}}
    out = {}
    for mode, extra in (("streaming", []), ("whole", ["--whole"])):
        y = os.path.join(d, f"{mode}.wav")
        kb, s = peak_kb([a.tqa, "decode", tq, "-o", y, "--weights", weights, "--threads", str(a.threads),
                         "--format", "f32", "--force", "--quiet"] + extra)
        out[mode] = read_wav(y)
        r[mode] = {"snr_vs_torch_db": snr_db(t["decoded_tqa_tokens"], out[mode]),
                   "snr_vs_torch_own_tokens_db": snr_db(t["decoded"], out[mode]), "max_rss_kb": kb, "seconds": s}
        os.remove(y)
    r["streaming_vs_whole_db"] = snr_db(out["whole"], out["streaming"])
    if a.long_seconds:
        long = make_input(os.path.join(work, f"speech_{a.long_seconds:g}s_{rate // 1000}k.wav"), rate, a.long_seconds, source=wav)
        lt, ly = os.path.join(d, "long.tqa"), os.path.join(d, "long.wav")
        run_command([a.tqa, "encode", long, "-o", lt, "--codec", family, "--model", model, "--weights", weights,
                     "--threads", str(a.threads), "--force", "--quiet"])
        kb, s = peak_kb([a.tqa, "decode", lt, "-o", ly, "--weights", weights, "--threads", str(a.threads),
                         "--force", "--quiet", "--whole"])
        os.remove(ly)
        r["whole_long"] = {"seconds": wav_seconds(long), "max_rss_kb": kb, "wall_s": s}
        r["whole_mb_per_minute"] = (kb - r["whole"]["max_rss_kb"]) / 1024 / ((wav_seconds(long) - r["seconds"]) / 60)
    log(f"[{spec}] streaming {r['streaming']['snr_vs_torch_db']:.1f} dB, whole {r['whole']['snr_vs_torch_db']:.1f} dB")
    return r


def render(res):
    out = [f"# SQCodec / L3AC: packet-by-packet and whole-sequence decode against PyTorch (issue 16)\n",
           f"{res['date']}, {res['host']}; tqa `{res['tqa']}`. Input: {res['seconds']:g} s of real speech "
           f"(bench/data/wav/speech_44k_mono.wav looped, `sox rate -v` to the model's rate). Weights: "
           f"`tqa models --random-weights DIR [--codec l3ac] --model M --seed {res['seed']}`, loaded by both. SNR of tqa's decode "
           f"against torch's `decode_audio` of the same tokens (the tokens in the .tqa), whole input in one call.\n",
           "| model | tokens equal to torch's | packet by packet (default) dB | `--whole` dB | `--whole` peak MB "
           f"({res['seconds']:g} s) | `--whole` growth MB/min | packet-by-packet peak MB |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in res["models"]:
        if "error" in r:
            out.append(f"| {r['model']} | error: {r['error'][:200]} | | | | | |")
            continue
        tok = r["tokens"]
        growth = r.get("whole_mb_per_minute")
        out.append(f"| {r['model']} | {tok['same']}/{min(tok['torch'], tok['tqa'])} | {r['streaming']['snr_vs_torch_db']:.1f} "
                   f"| {r['whole']['snr_vs_torch_db']:.1f} | {r['whole']['max_rss_kb'] / 1024:.0f} "
                   f"| {'—' if growth is None else f'{growth:.0f}'} | {r['streaming']['max_rss_kb'] / 1024:.0f} |")
    out.append(f"\nCommand: `{res['command']}`\n")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tqa", default=TQA_BIN)
    ap.add_argument("--build", action="store_true")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--long-seconds", type=float, default=180.0, help="second length for --whole's memory growth (0: skip)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", default=os.path.join(BENCH, "work", "sqcodec_whole"))
    ap.add_argument("--out", default=os.path.join(BENCH, "work", "sqcodec_whole.md"))
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--family", default="sqcodec", help=argparse.SUPPRESS)
    ap.add_argument("--weights", help=argparse.SUPPRESS)
    ap.add_argument("--wav", help=argparse.SUPPRESS)
    ap.add_argument("--tokens", help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", dest="out_npz", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.torch_worker:
        return torch_side(a.family, a.model, a.weights, a.wav, a.tokens, a.out_npz)
    if a.build:
        build_tqa()
    a.tqa = os.path.abspath(a.tqa)
    if not os.access(a.tqa, os.X_OK):
        raise SystemExit(f"error: {a.tqa} is missing: swift build -c release --product tqa (or pass --build)")
    models = [m for m in a.models.split(",") if m]
    for m in models:
        family, name = family_of(m)
        if name not in {"sqcodec": MODELS, "l3ac": L3AC_MODELS}.get(family, []):
            raise SystemExit(f"error: unknown model {m}; one of {', '.join(MODELS)}, "
                             + ", ".join(f"l3ac:{x}" for x in L3AC_MODELS))
    os.makedirs(a.work, exist_ok=True)
    rel = os.path.relpath(a.tqa, ROOT)
    cmd = ("" if rel == ".build/release/tqa" else f"TQA_BIN={rel} ") + "bash bench/sqcodec_whole.sh " + " ".join(
        x for x in sys.argv[1:])
    res = {"date": utc_now(), "host": f"{platform.machine()}, {os.cpu_count()} cores, {cpu_model()}, "
                                      f"load {os.getloadavg()[0]:.1f}", "tqa": rel, "seconds": a.seconds,
           "seed": a.seed, "command": cmd.strip(), "models": []}
    for m in models:
        try:
            res["models"].append(measure(a, m, a.work))
        except Exception as e:
            log(f"[{m}] failed: {e}")
            res["models"].append({"model": m, "error": str(e)})
        with open(os.path.join(a.work, "whole.json"), "w") as f:
            json.dump(res, f, indent=1)
    res["host"] += f" (load at end {os.getloadavg()[0]:.1f})"
    text = render(res)
    sys.stdout.write(text)
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
