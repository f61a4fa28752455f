#!/usr/bin/env python3
"""SQCodec speed (issue 5): tqa's Swift port against the PyTorch reference, same weights, same input.

Run through bench/sqcodec_speed.sh, which provides the reference venv (tools/reference/.venv)
and the tqa binary. For each model, in one run:

  1. `tqa models --random-weights DIR --codec FAMILY --model M --seed 1` writes seeded random full-size weights
     (safetensors, the published module layout). PyTorch builds the reference network
     (`sq_codec.SQCodec`, configuration from the package's own TOML, as
     tools/reference/make_vectors.py does), folds its weight-norm parametrizations into plain
     weights (tqa's safetensors hold the folded `weight`; folding also spares torch the norm on
     every call) and loads the same tensors with strict=True.
  2. PyTorch, `torch.set_num_threads(1)` then 2, under `torch.inference_mode()`: encode
     (`SQCodec.encode_audio`, audio -> tokens) and decode (`SQCodec.decode_audio(indices=...)`,
     tokens -> audio) timed separately, model load excluded, best of --runs. The whole input in
     one call: that is what the package's public API does. (`Codec.extract_unit` /
     `decode_unit`, the chunked path of the base class, call `Codec.compress`, which skips the
     en_encoder/en_decoder transformer stages, so they do not run the SQCodec models.)
  3. tqa encode / decode with --threads 1 and 2, wall clock of the whole command (process start,
     weight loading, WAV and .tqa I/O included), best of --runs. "load" = the same commands on a
     0.1 s file, i.e. about the fixed cost included in every tqa figure.
  4. Peak memory (max RSS, `/usr/bin/time -f %M`) of tqa encode and decode of a --memory-seconds
     (600) file, the input looped, for --memory-models; torch's max RSS for its whole run.

Token agreement: tqa's tokens (`tqa tokens --json`) against torch's 1-thread tokens, frame by
frame. With random weights the network is chaotic over long inputs (tools/reference/README.md),
so a few flipped tokens are expected; a low figure means the weights were not the same.

RTF = processing seconds / audio seconds. Output: markdown on stdout and in --out.
"""
import argparse
import json
import math
import os
import platform
import resource
import sys
import tempfile
import wave

from common import BENCH, ROOT, TQA_BIN, Stopwatch, build_tqa, cpu_model, fmt, run_command, utc_now

REFERENCE = os.path.join(ROOT, "tools", "reference")
MODELS = ["0k75bps", "1k5bps", "3kbps", "6kbps", "12kbps", "12kbps_24khz", "24kbps_24khz"]
# L3AC's models, named `l3ac:NAME` in --models (`tqa ... --codec l3ac --model NAME`).
L3AC_MODELS = ["0k75bps", "1kbps", "1k5bps", "3kbps"]
SOURCE = os.path.join(BENCH, "data", "wav", "speech_44k_mono.wav")  # 30.24 s, klettres-data, real speech
THREADS = (1, 2)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def family_of(spec):
    """(family, model) of a --models entry: `6kbps` is SQCodec's, `l3ac:1kbps` L3AC's."""
    family, _, model = spec.rpartition(":")
    return family or "sqcodec", model


def model_rate(model):
    return 24000 if model.endswith("24khz") else 16000


# ---------------------------------------------------------------------------------------------
# PyTorch worker (a subprocess per model, so that its max RSS is its own)

def reference_codec(model, weights, family="sqcodec"):
    """The reference codec of `family` for `model`: sq-codec's `SQCodec` or l3ac's `L3AC`
    (configuration from the package's own TOML, as tools/reference/make_vectors.py does), weight
    norms folded into plain weights, the tensors of `weights` (tqa's safetensors) loaded with
    strict=True; `codec.folded_weight_norms` counts the folds."""
    from torch.nn.utils import parametrize
    from safetensors.torch import load_file

    if family == "l3ac":
        from l3ac import CONFIG_DIR, L3AC, L3ACConfig
        codec = L3AC(L3ACConfig(config_file=CONFIG_DIR / f"{model}.toml"))
    else:
        from sq_codec import CONFIG_DIR, SQCodec, SQCodecConfig
        codec = SQCodec(SQCodecConfig(config_file=CONFIG_DIR / f"{model}.toml"))
    net = codec.network.eval()
    folded = 0
    for m in net.modules():
        if parametrize.is_parametrized(m):
            for name in list(m.parametrizations.keys()):
                parametrize.remove_parametrizations(m, name, leave_parametrized=True)
                folded += 1
    for name, module in net.trainable_modules.items():
        module.load_state_dict(load_file(os.path.join(weights, f"{name}.safetensors")), strict=True)
    codec.folded_weight_norms = folded
    return codec


def encode_tokens(codec, audio):
    """The token tensor of `codec.encode_audio` (L3AC's quantizer returns its indices in a dict)."""
    indices = codec.encode_audio(audio)[1]
    return indices["indices"] if isinstance(indices, dict) else indices


def patch_local_attention_for_export():
    """Two functions of local-attention 1.11.2 rewritten, at run time in this process only, so that
    the TorchScript-based ONNX exporter can trace them (same values): `pad_to_multiple` takes the
    traced length as an int (the original divides it as a float and asks `is_integer()`), and
    `look_around` gathers its windows as shifted slices (the original's `Tensor.unfold`)."""
    import torch
    import torch.nn.functional as F
    import local_attention.local_attention as la

    def pad_to_multiple(tensor, multiple, dim=-1, value=0):
        remainder = (-int(tensor.shape[dim])) % multiple
        if remainder == 0:
            return False, tensor
        pad_offset = (0,) * (-1 - dim) * 2
        return True, F.pad(tensor, (*pad_offset, 0, remainder), value=value)

    def look_around(x, backward=1, forward=0, pad_value=-1, dim=2):
        dims = (len(x.shape) - dim) * (0, 0)
        padded = F.pad(x, (*dims, backward, forward), value=pad_value)
        n = int(x.shape[1])
        return torch.stack([padded[:, i:i + n] for i in range(backward + forward + 1)], dim=dim).flatten(dim, dim + 1)

    la.pad_to_multiple = pad_to_multiple
    la.look_around = look_around


def onnx_sessions(codec, audio, indices, work):
    """ONNX Runtime sessions for the codec's encode (audio -> indices) and decode (indices ->
    audio), exported from the torch model (TorchScript exporter, opset 17, shapes of this input)
    and run on one intra-op thread with all graph optimizations."""
    import torch
    import onnxruntime as ort

    patch_local_attention_for_export()
    for p in codec.network.parameters():
        p.requires_grad_(False)

    class Encode(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.network = codec.network

        def forward(self, x):
            return encode_tokens(codec, x)

    class Decode(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.network = codec.network

        def forward(self, i):
            return codec.decode_audio(indices=i)

    paths = {name: os.path.join(work, f"{name}.onnx") for name in ("encode", "decode")}
    import warnings
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Encode().eval(), (audio,), paths["encode"], dynamo=False, opset_version=17)
        torch.onnx.export(Decode().eval(), (indices,), paths["decode"], dynamo=False, opset_version=17)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return {name: ort.InferenceSession(path, options, providers=["CPUExecutionProvider"]) for name, path in paths.items()}


def snr_db(reference, x):
    import numpy as np
    reference, x = np.asarray(reference, dtype=np.float64).reshape(-1), np.asarray(x, dtype=np.float64).reshape(-1)
    noise = float(np.sum((reference - x) ** 2))
    return float("inf") if noise == 0 else float(10 * np.log10(np.sum(reference ** 2) / noise))


def versions(family):
    import importlib.metadata as md
    out = {"python": platform.python_version()}
    for dist in ("torch", "sq-codec" if family == "sqcodec" else "l3ac", "local-attention", "onnxruntime", "onnx"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            out[dist] = None
    return out


def onnx_worker(a, codec, audio, torch_tokens):
    """ONNX Runtime's encode and decode timed (one thread, best of a.runs), and checked against
    torch: tokens identical, and its decode of torch's tokens against torch's, SNR in dB."""
    import numpy as np
    import torch

    with torch.inference_mode():
        indices = encode_tokens(codec, audio)
        reference = codec.decode_audio(indices=indices).numpy()
    clock = Stopwatch()
    sessions = onnx_sessions(codec, audio, indices, os.path.dirname(a.out))
    out = {"export_s": clock.seconds, "encode_s": [], "decode_s": []}
    enc, dec = sessions["encode"], sessions["decode"]
    x = {enc.get_inputs()[0].name: audio.numpy()}
    i = {dec.get_inputs()[0].name: indices.numpy()}
    for _ in range(a.runs):
        clock = Stopwatch()
        tokens = enc.run(None, x)[0]
        out["encode_s"].append(clock.seconds)
        clock = Stopwatch()
        y = dec.run(None, i)[0]
        out["decode_s"].append(clock.seconds)
    tokens = tokens.reshape(-1).astype(np.int64).tolist()
    out["tokens_same"] = sum(p == q for p, q in zip(tokens, torch_tokens))
    out["tokens"] = len(torch_tokens)
    out["decode_snr_db"] = snr_db(reference, y)
    return out


def torch_worker(a):
    import numpy as np
    import torch

    with wave.open(a.wav) as w:
        assert w.getframerate() == model_rate(a.model), (w.getframerate(), model_rate(a.model))
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    audio = torch.from_numpy(pcm)[None]

    clock = Stopwatch()
    codec = reference_codec(a.model, a.weights, a.family)
    folded = codec.folded_weight_norms
    load_s = clock.seconds

    out = {"model": a.model, "family": a.family, "load_s": load_s, "folded_weight_norms": folded,
           "versions": versions(a.family),
           "samples": audio.shape[-1], "encode_s": {}, "decode_s": {}}
    tokens = {}
    with torch.inference_mode():
        for threads in a.threads:
            torch.set_num_threads(threads)
            enc, dec = [], []
            for _ in range(a.runs):
                clock = Stopwatch()
                indices = encode_tokens(codec, audio)
                enc.append(clock.seconds)
                clock = Stopwatch()
                y = codec.decode_audio(indices=indices)
                dec.append(clock.seconds)
            out["encode_s"][str(threads)] = enc
            out["decode_s"][str(threads)] = dec
            tokens[threads] = indices[0].reshape(-1).to(torch.int64).tolist()
            out["decoded_samples"] = int(y.shape[-1])
    out["tokens"] = tokens[a.threads[0]]
    if a.onnx:
        out["onnx"] = onnx_worker(a, codec, audio, out["tokens"])
    out["distinct_tokens"] = len(set(out["tokens"]))
    if len(a.threads) > 1:
        t1, t2 = tokens[a.threads[0]], tokens[a.threads[-1]]
        out["tokens_same_across_threads"] = sum(x == y for x, y in zip(t1, t2)) / max(1, len(t1))
    out["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(a.out, "w") as f:
        json.dump(out, f)


# ---------------------------------------------------------------------------------------------
# Driver

def peak_kb(cmd):
    """Max RSS in kB (`/usr/bin/time -f %M`) and wall seconds of cmd."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        seconds = run_command(["/usr/bin/time", "-f", "%M", "-o", f.name] + cmd).seconds
        return int(f.read().strip().splitlines()[-1]), seconds


def wav_seconds(path):
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()


def make_input(path, rate, seconds, source=SOURCE):
    """`seconds` of the source speech (looped if shorter), mono 16-bit at `rate` (sox rate -v)."""
    if os.path.exists(path) and abs(wav_seconds(path) - seconds) < 1e-3:
        return path
    repeat = max(0, math.ceil(seconds / wav_seconds(source)) - 1)
    run_command(["sox", source, "-b", "16", "-c", "1", path, "repeat", str(repeat),
         "trim", "0", f"{seconds}", "rate", "-v", str(rate)])
    return path


def tqa_encode(tqa, spec, weights, wav, out, threads):
    family, model = family_of(spec)
    return [tqa, "encode", wav, "-o", out, "--codec", family, "--model", model,
            "--weights", weights, "--threads", str(threads), "--force", "--quiet"]


def tqa_decode(tqa, weights, src, out, threads):
    return [tqa, "decode", src, "-o", out, "--weights", weights, "--threads", str(threads), "--force", "--quiet"]


def model_workdir(a, spec, work):
    """(family, model, rate, directory, weights) of `spec` under `work`: the weights are the seeded
    random full-size ones of `tqa models --random-weights --codec FAMILY` (the PyTorch and ONNX
    sides load the same files), made once per seed."""
    family, model = family_of(spec)
    d = os.path.join(work, spec.replace(":", "_"))
    os.makedirs(d, exist_ok=True)
    weights = os.path.join(d, f"weights-seed{a.seed}")
    if not os.path.exists(os.path.join(weights, "decoder.safetensors")):
        run_command([a.tqa, "models", "--random-weights", weights, "--codec", family, "--model", model,
                     "--seed", str(a.seed)])
    return family, model, model_rate(model), d, weights


def measure_model(a, spec, work):
    family, model, rate, d, weights = model_workdir(a, spec, work)
    wav = make_input(os.path.join(work, f"speech_{a.seconds:g}s_{rate // 1000}k.wav"), rate, a.seconds)
    short = make_input(os.path.join(work, f"speech_0.1s_{rate // 1000}k.wav"), rate, 0.1)
    seconds = wav_seconds(wav)
    r = {"model": spec, "family": family, "rate": rate, "seconds": seconds, "runs": a.runs}

    log(f"[{spec}] torch, threads {','.join(map(str, THREADS))}, {a.runs} run(s) each"
        + ("" if a.no_onnx else "; ONNX Runtime, 1 thread"))
    tjson = os.path.join(d, "torch.json")
    took = run_command([sys.executable, os.path.abspath(__file__), "--torch-worker", "--model", model, "--family", family,
                        "--weights", weights, "--wav", wav, "--runs", str(a.runs), "--worker-out", tjson]
                       + ([] if a.no_onnx else ["--onnx"])).seconds
    log(f"[{spec}] torch done in {took:.0f} s")
    with open(tjson) as f:
        r["torch"] = json.load(f)
    r["onnx"] = r["torch"].pop("onnx", None)

    tq = os.path.join(d, "x.tqa")
    y = os.path.join(d, "y.wav")
    r["tqa"] = {"encode_s": {}, "decode_s": {}, "load_encode_s": {}, "load_decode_s": {}}
    sq, sy = os.path.join(d, "short.tqa"), os.path.join(d, "short.wav")

    def encode_decode(src, coded, out, threads):
        """a.runs timings each of tqa encode src -> coded and decode coded -> out."""
        enc, dec = [], []
        for _ in range(a.runs):
            enc.append(run_command(tqa_encode(a.tqa, spec, weights, src, coded, threads)).seconds)
            dec.append(run_command(tqa_decode(a.tqa, weights, coded, out, threads)).seconds)
        return enc, dec

    for threads in THREADS:
        log(f"[{spec}] tqa, {threads} thread(s)")
        enc, dec = encode_decode(wav, tq, y, threads)
        r["tqa"]["encode_s"][str(threads)] = enc
        r["tqa"]["decode_s"][str(threads)] = dec
        if threads == THREADS[0]:
            tokens = json.loads(run_command([a.tqa, "tokens", "--json", tq]).stdout)["channels"][0]
        le, ld = encode_decode(short, sq, sy, threads)
        r["tqa"]["load_encode_s"][str(threads)] = le
        r["tqa"]["load_decode_s"][str(threads)] = ld
    ref = r["torch"].pop("tokens")
    n = min(len(ref), len(tokens))
    r["tokens"] = {"torch": len(ref), "tqa": len(tokens), "same": sum(x == y for x, y in zip(ref[:n], tokens[:n]))}
    return r


def measure_memory(a, spec, work):
    family, model, rate, d, weights = model_workdir(a, spec, work)
    base = make_input(os.path.join(work, f"speech_{a.seconds:g}s_{rate // 1000}k.wav"), rate, a.seconds)
    long = make_input(os.path.join(work, f"speech_{a.memory_seconds:g}s_{rate // 1000}k.wav"), rate,
                      a.memory_seconds, source=base)
    tq, y = os.path.join(d, "long.tqa"), os.path.join(d, "long.wav")
    threads = max(THREADS)
    log(f"[{spec}] memory: tqa encode + decode of {a.memory_seconds:g} s, {threads} threads")
    enc, te = peak_kb(tqa_encode(a.tqa, spec, weights, long, tq, threads))
    dec, td = peak_kb(tqa_decode(a.tqa, weights, tq, y, threads))
    for p in (y,):
        os.remove(p)
    return {"model": spec, "seconds": wav_seconds(long), "threads": threads,
            "encode_kb": enc, "decode_kb": dec, "encode_s": te, "decode_s": td}


# ---------------------------------------------------------------------------------------------
# Table

def fmt_rtf(x):
    return fmt(x, 3)


def render(res):
    out = []
    p = out.append
    runs = res["runs"]
    secs = res["seconds"]
    p(f"# SQCodec speed: tqa vs PyTorch (issue 5)\n")
    p(f"{res['date']}, {res['host']}; CPU: {res.get('cpu', '?')}; tqa `{res['tqa']}`; torch {res.get('torch_version', '?')}, "
      f"sq-codec {res.get('sq_codec_version', '?')}, l3ac {res.get('l3ac_version', '—')}, "
      f"onnxruntime {res.get('onnxruntime_version', '—')}. Input: {secs:g} s of real speech "
      f"(bench/data/wav/speech_44k_mono.wav looped, `sox rate -v` to the model's rate), mono. "
      f"Weights: `tqa models --random-weights DIR --codec FAMILY --model M --seed {res['seed']}`, loaded by both. "
      f"Best of {runs} run(s). RTF = seconds of processing / seconds of audio (lower is faster).\n")
    p("- **torch**: `SQCodec.encode_audio` / `decode_audio(indices=…)`, the whole input in one call "
      "(the package's public API; its chunked `extract_unit`/`decode_unit` belong to the base `Codec` "
      "and skip the transformer stages), `torch.inference_mode()`, `set_num_threads(T)`, model load "
      "excluded, weight norm folded.")
    p("- **tqa**: wall clock of `tqa encode … --codec sqcodec --threads T` / `tqa decode … --threads T`, "
      "process start, weight loading and file I/O included (conservative); *load* = the same on a 0.1 s file. "
      "tqa encodes and decodes in packets (about 20 s for 6kbps), carrying the transformers' last window from "
      "packet to packet, with the convolutional encoder's reach (405 samples for 6kbps) and a block of the decoder's "
      "context either side, so its tokens equal whole-input encoding.")
    p("- **ratio** = torch time / tqa time (> 1: tqa faster). **scaling** = tqa enc+dec time 1 thread / 2 threads. "
      "**agreement** = tqa tokens equal to torch's (1 thread), frame by frame.\n")

    p("| model | torch enc RTF (1 thr) | tqa enc RTF (1 thr) | ratio | torch dec RTF (1 thr) | tqa dec RTF (1 thr) "
      "| ratio | tqa enc+dec RTF 1 thr | 2 thr | thread scaling | token agreement |")
    p("| --- | " + " | ".join(["---:"] * 10) + " |")
    rows = {}
    for r in res["models"]:
        if "error" in r:
            p(f"| {r['model']} | error: {r['error'][:200]} |" + " |" * 9)
            continue
        s = r["seconds"]
        te = {t: min(v) for t, v in r["torch"]["encode_s"].items()}
        td = {t: min(v) for t, v in r["torch"]["decode_s"].items()}
        qe = {t: min(v) for t, v in r["tqa"]["encode_s"].items()}
        qd = {t: min(v) for t, v in r["tqa"]["decode_s"].items()}
        tok = r["tokens"]
        agree = tok["same"] / max(1, min(tok["torch"], tok["tqa"]))
        row = dict(enc_ratio=te["1"] / qe["1"], dec_ratio=td["1"] / qd["1"],
                   rtf1=(qe["1"] + qd["1"]) / s, rtf2=(qe["2"] + qd["2"]) / s,
                   scaling=(qe["1"] + qd["1"]) / (qe["2"] + qd["2"]), agree=agree)
        rows[r["model"]] = row
        lens = "" if tok["torch"] == tok["tqa"] else f" (lengths {tok['torch']}/{tok['tqa']})"
        p(f"| {r['model']} | {fmt_rtf(te['1'] / s)} | {fmt_rtf(qe['1'] / s)} | {row['enc_ratio']:.2f}× "
          f"| {fmt_rtf(td['1'] / s)} | {fmt_rtf(qd['1'] / s)} | {row['dec_ratio']:.2f}× "
          f"| {fmt_rtf(row['rtf1'])} | {fmt_rtf(row['rtf2'])} | {row['scaling']:.2f}× "
          f"| {100 * agree:.2f} % ({tok['same']}/{min(tok['torch'], tok['tqa'])}, {r['torch'].get('distinct_tokens', '?')} distinct){lens} |")

    p("\nDetails (seconds, best of the runs):\n")
    p("| model | torch enc 1 / 2 thr | torch dec 1 / 2 thr | torch scaling | tqa enc 1 / 2 thr | tqa dec 1 / 2 thr "
      "| tqa load enc / dec (1 thr) | tqa enc+dec RTF 1 thr without load | torch load | torch tokens 1 vs 2 thr |")
    p("| --- | " + " | ".join(["---:"] * 9) + " |")
    for r in res["models"]:
        if "error" in r:
            continue
        s = r["seconds"]
        b = lambda d: {t: min(v) for t, v in d.items()}
        te, td, qe, qd = b(r["torch"]["encode_s"]), b(r["torch"]["decode_s"]), b(r["tqa"]["encode_s"]), b(r["tqa"]["decode_s"])
        le, ld = b(r["tqa"]["load_encode_s"]), b(r["tqa"]["load_decode_s"])
        net = max(0.0, qe["1"] - le["1"] + qd["1"] - ld["1"]) / s
        same = r["torch"].get("tokens_same_across_threads")
        p(f"| {r['model']} | {te['1']:.2f} / {te['2']:.2f} | {td['1']:.2f} / {td['2']:.2f} "
          f"| {(te['1'] + td['1']) / (te['2'] + td['2']):.2f}× | {qe['1']:.2f} / {qe['2']:.2f} | {qd['1']:.2f} / {qd['2']:.2f} "
          f"| {le['1']:.2f} / {ld['1']:.2f} | {net:.3f} | {r['torch']['load_s']:.2f} "
          f"| {'—' if same is None else f'{100 * same:.2f} %'} |")

    onnx_rows = [r for r in res["models"] if r.get("onnx")]
    if onnx_rows:
        p("\nBeside ONNX Runtime (issue 16): the reference model exported to ONNX (TorchScript exporter, opset 17, "
          "local-attention's `pad_to_multiple` and `look_around` patched at run time for tracing), run by onnxruntime "
          "on the CPU provider, one intra-op thread, all graph optimizations, export excluded. All three on one thread, "
          "encode + decode of the same input, same weights; torch and ONNX Runtime timed inside Python (model loaded), "
          "tqa as whole commands (process start and weight loading included).\n")
        p("| model | torch enc+dec RTF | ONNX Runtime enc+dec RTF | tqa enc+dec RTF | tqa vs torch | tqa vs ONNX Runtime "
          "| ONNX vs torch | ONNX tokens = torch's | ONNX decode vs torch, dB |")
        p("| --- | " + " | ".join(["---:"] * 8) + " |")
        for r in onnx_rows:
            s_ = r["seconds"]
            o = r["onnx"]
            torch_t = min(r["torch"]["encode_s"]["1"]) + min(r["torch"]["decode_s"]["1"])
            onnx_t = min(o["encode_s"]) + min(o["decode_s"])
            tqa_t = None if "tqa" not in r else min(r["tqa"]["encode_s"]["1"]) + min(r["tqa"]["decode_s"]["1"])
            q = lambda x: "—" if x is None else x
            p(f"| {r['model']} | {fmt_rtf(torch_t / s_)} | {fmt_rtf(onnx_t / s_)} "
              f"| {q(None if tqa_t is None else fmt_rtf(tqa_t / s_))} "
              f"| {q(None if tqa_t is None else f'{torch_t / tqa_t:.2f}×')} | {q(None if tqa_t is None else f'{onnx_t / tqa_t:.2f}×')} "
              f"| {torch_t / onnx_t:.2f}× | {100 * o['tokens_same'] / max(1, o['tokens']):.2f} % ({o['tokens_same']}/{o['tokens']}) "
              f"| {o['decode_snr_db']:.1f} |")

    mem = res.get("memory", [])
    if mem:
        p("\nPeak memory (max RSS, `/usr/bin/time -f %M`):\n")
        p(f"| model | tqa encode | tqa decode | input | tqa threads | tqa enc / dec time | torch (whole run, {secs:g} s input, for context) |")
        p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        torch_rss = {r["model"]: r["torch"]["max_rss_kb"] for r in res["models"] if "torch" in r}
        for m in mem:
            if "error" in m:
                p(f"| {m['model']} | error: {m['error'][:200]} | | | | | |")
                continue
            trs = torch_rss.get(m["model"])
            p(f"| {m['model']} | {m['encode_kb'] / 1024:.0f} MB | {m['decode_kb'] / 1024:.0f} MB | {m['seconds']:g} s "
              f"| {m['threads']} | {m['encode_s']:.0f} s / {m['decode_s']:.0f} s "
              f"| {'—' if trs is None else f'{trs / 1024:.0f} MB ({secs:g} s input)'} |")

    p("\nTargets of issue 5:\n")
    def check(ok, text):
        p(f"- [{'x' if ok else ' '}] {text}" if ok is not None else f"- [?] {text} (not measured)")
    for m in ("6kbps", "0k75bps"):
        row = rows.get(m)
        check(None if row is None else row["enc_ratio"] >= 2.5 and row["dec_ratio"] >= 2.5,
              f"{m}: tqa ≥ 2.5× faster than torch, 1 thread, encode and decode"
              + ("" if row is None else f": encode {row['enc_ratio']:.2f}×, decode {row['dec_ratio']:.2f}×"))
    row = rows.get("6kbps")
    check(None if row is None else row["rtf1"] <= 0.30,
          "6kbps: tqa enc+dec RTF ≤ 0.30 (1 thread)" + ("" if row is None else f": {row['rtf1']:.3f} (2 threads {row['rtf2']:.3f})"))
    if rows:
        worst = min(rows.items(), key=lambda kv: kv[1]["scaling"])
        check(all(v["scaling"] >= 1.7 for v in rows.values()),
              f"1 → 2 threads ≥ 1.7× (tqa enc+dec), every model: lowest {worst[1]['scaling']:.2f}× ({worst[0]})")
    else:
        check(None, "1 → 2 threads ≥ 1.7×")
    good = [m for m in mem if "error" not in m]
    if good:
        peak = max(max(m["encode_kb"], m["decode_kb"]) for m in good)
        long = min(m["seconds"] for m in good)
        text = f"peak memory < 500 MB for 10 min (tqa encode, decode): highest {peak / 1024:.0f} MB"
        if long >= 600:
            check(peak / 1024 < 500, text)
        else:
            p(f"- [?] {text}, but on {long:g} s only, not 10 min")
    else:
        check(None, "peak memory < 500 MB for 10 min")
    p("")
    p(f"Command: `{res['command']}`")
    return "\n".join(out) + "\n"


def save(res, work):
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(res, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tqa", default=TQA_BIN, help="the tqa binary (default: $TQA_BIN, else .build/release/tqa)")
    ap.add_argument("--build", action="store_true", help="swift build -c release --product tqa first")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the speech input (default 60)")
    ap.add_argument("--runs", type=int, default=2, help="best of N (default 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--memory-models", default="6kbps,0k75bps")
    ap.add_argument("--memory-seconds", type=float, default=600.0)
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-onnx", action="store_true", help="leave ONNX Runtime out")
    ap.add_argument("--work", default=os.path.join(BENCH, "work", "sqcodec"))
    ap.add_argument("--out", default=os.path.join(BENCH, "work", "sqcodec_speed.md"))
    ap.add_argument("--from-json", help="re-render the table from a results.json, measure nothing")
    # internal: the PyTorch side, one process per model
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--family", default="sqcodec", help=argparse.SUPPRESS)
    ap.add_argument("--onnx", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--weights", help=argparse.SUPPRESS)
    ap.add_argument("--wav", help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", dest="out_json", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.torch_worker:
        a.out = a.out_json
        a.threads = list(THREADS)
        return torch_worker(a)

    if a.from_json:
        with open(a.from_json) as f:
            res = json.load(f)
    else:
        models = [m for m in a.models.split(",") if m]
        for m in models + [m for m in a.memory_models.split(",") if m]:
            family, name = family_of(m)
            if name not in {"sqcodec": MODELS, "l3ac": L3AC_MODELS}.get(family, []):
                raise SystemExit(f"error: unknown model {m}; one of {', '.join(MODELS)}, "
                                 + ", ".join(f"l3ac:{x}" for x in L3AC_MODELS))
        if a.build:
            build_tqa()
        a.tqa = os.path.abspath(a.tqa)
        if not os.access(a.tqa, os.X_OK):
            raise SystemExit(f"error: {a.tqa} is missing: swift build -c release --product tqa (or pass --build)")
        os.makedirs(a.work, exist_ok=True)
        argv = sys.argv[1:]
        if argv[:1] == ["--tqa"]:
            argv = argv[2:]
        rel = os.path.relpath(a.tqa, ROOT)
        cmd = ("" if rel == ".build/release/tqa" else f"TQA_BIN={rel} ") + "bash bench/sqcodec_speed.sh " + " ".join(argv)
        res = {"date": utc_now(),
               "host": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
               "tqa": os.path.relpath(a.tqa, ROOT), "seconds": a.seconds, "runs": a.runs, "seed": a.seed,
               "command": cmd.strip(), "models": [], "memory": [], "cpu": cpu_model()}
        memory_models = [] if a.no_memory else [m for m in a.memory_models.split(",") if m]

        def memory(m):
            try:
                res["memory"].append(measure_memory(a, m, a.work))
            except Exception as e:
                log(f"[{m}] memory failed: {e}")
                res["memory"].append({"model": m, "error": str(e)})
            save(res, a.work)

        for m in models:
            try:
                r = measure_model(a, m, a.work)
                res["torch_version"] = r["torch"]["versions"]["torch"]
                for k in ("sq-codec", "l3ac", "onnxruntime", "local-attention"):
                    if r["torch"]["versions"].get(k):
                        res[k.replace("-", "_") + "_version"] = r["torch"]["versions"][k]
            except Exception as e:  # keep the other models
                log(f"[{m}] failed: {e}")
                r = {"model": m, "error": str(e)}
            res["models"].append(r)
            save(res, a.work)
            if m in memory_models:  # right after its speed run, so that a cut-short run has both
                memory(m)
        for m in memory_models:
            if m not in models:
                memory(m)
        res["host"] += f" (load at end {os.getloadavg()[0]:.1f})"
        save(res, a.work)
    text = render(res)
    sys.stdout.write(text)
    if not a.from_json:
        os.makedirs(os.path.dirname(a.out), exist_ok=True)
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
