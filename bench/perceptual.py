#!/usr/bin/env python3
"""The perceptual run of issue 15: tqa spectral against Opus, AAC, Vorbis and MP3 at matched
bitrates, scored with ViSQOL, PESQ-WB, STOI and SNR.

    bash bench/perceptual.sh [--kinds music,speech] [--files a,b] [--seconds 10] [--jobs 2]
                             [--codecs tqa,opus,aac,vorbis,mp3] [--tunings mse,perceptual]
                             [--rates 64,96] [--tqa PATH] [--quick] [--write-benchmarks [--title T]]
    bash bench/perceptual.sh --from-csv bench/work/perceptual.csv [--write-benchmarks]

Recordings: every row of the manifest (bench/data/recordings.tsv, `bash bench/fetch_recordings.sh`)
of kind `music` with two channels at >= 44.1 kHz, and of kind `speech` with one channel; one per
distinct source (the manifest's package + source: the same words at two sample rates count once,
the copy already at the target rate preferred). Each is cut to its first --seconds and brought to
the kind's format with `sox -D ... rate -v`: music 48 kHz stereo, speech 16 kHz mono (16-bit).

Rates (kbit/s): music 64/96/128, speech 16/24/32 (--rates replaces them for every kind run).
A codec's rate is its audio payload over the input's duration: for tqa the whole .tqa file
(headers included; it has no other container), for the peers the sum of the audio packets
(ffprobe), so that the Ogg / MP4 / MP3 container is not charged to the codec. Each codec's knob
(tqa: --bitrate when the binary has it, else --bits-per-sample; the peers: ffmpeg -b:a) is moved by secant steps in log-log space (bisection once the target is bracketed) until that
rate is within 0.5 % of the target (12 encodes at most); within 2 % counts as landed. The rate
reached is reported; a codec that cannot land is scored at its closest rate, marked † in the
table and listed with the rate it reached, never silently.

Codecs (ffmpeg): Opus = libopus VBR (-vbr on, the default application `audio`), AAC = ffmpeg's
native `aac` (-b:a, its default ABR), Vorbis = libvorbis -b:a (ffmpeg's default: a nominal rate,
quality mode underneath; it can jump over the 2 % window, 62.5 -> 66.5 kbit/s between 63999 and
64000 on music, and ffmpeg's -q:a stops at 0, 66.5 kbit/s there), MP3 = libmp3lame -b:a (CBR).
tqa: `tqa encode --codec spectral [--tune T]`, T from --tunings (default: mse and
perceptual when `tqa encode --help` lists --tune, else the plain build as `mse`).

Scoring, after decoding back to the input's rate and channel count (ffmpeg -ar/-ac, float) and
aligning by cross-correlation (evaluate.estimate_delay, |delay| <= 100 ms, then the overlap, so
both have equal length):
  music   ViSQOL v3 audio mode at 48 kHz (MOS-LQO, ceiling ~4.73; the channel mean, as ViSQOL
          reads a stereo file), SNR over both channels
  speech  PESQ wide-band (`pesq`, 16 kHz, MOS-LQO, ceiling 4.64), ViSQOL speech mode at 16 kHz
          (the lattice mapper, the C++ default, when `ai-edge-litert` is installed, else
          visqol-python's polynomial fallback, which reads 1-2 MOS high: the report says which),
          STOI (`pystoi`, 0..1), SNR
Everything is cached under bench/data/perceptual/ (encodes by input hash + codec + knob + tool,
scores by reference hash + decoded hash + metric set), so a rerun only redoes what changed.

Output: bench/work/perceptual.md (tables per kind: target rate x codec, the mean over the
recordings) and bench/work/perceptual.csv (one row per recording x codec x rate).
--write-benchmarks puts the tables, the command, the date and the cpu model into BENCHMARKS.md as
the section --title (replacing a section of that title, else appended at the end).
--quick: only tqa (the codec work's loop); same tables.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import codec_matrix
import evaluate
from common import (BENCH, ROOT, SETUP, cpu_model, fmt, require_file, require_tools, run_command,
                    shown, tqa_bin, utc_now)

DATA = os.path.join(BENCH, "data", "perceptual")
WORK = os.path.join(BENCH, "work")
RATE_TOLERANCE = 0.02   # the "within 2 %"
RATE_AIM = 0.005        # the search goes on (while it has tries left) until this close
MAX_LAG_SECONDS = 0.1
DEFAULT_TITLE = "Perceptual quality at matched bitrates (issue 15)"
PEER_CODECS = ("opus", "aac", "vorbis", "mp3")
ALL_CODECS = ("tqa",) + PEER_CODECS


@dataclass(frozen=True)
class Kind:
    name: str
    sample_rate: int
    channels: int
    rates_kbps: tuple[float, ...]
    visqol_mode: str
    metrics: tuple[str, ...]     # in table order; the first is the headline


KINDS = {
    "music": Kind("music", 48000, 2, (64, 96, 128), "audio", ("visqol", "snr_db")),
    "speech": Kind("speech", 16000, 1, (16, 24, 32), "speech", ("pesq_wb", "visqol", "stoi", "snr_db")),
}
METRIC_NAMES = {"visqol": "ViSQOL MOS-LQO", "pesq_wb": "PESQ-WB MOS-LQO", "stoi": "STOI", "snr_db": "SNR dB"}


# --- rate matching (pure) ------------------------------------------------------------------------

@dataclass
class Match:
    """Where a knob search ended: the knob used, the rate it gave, whether that rate is within
    the tolerance of the target, and every (knob, rate) tried, in order."""
    knob: float
    rate: float
    landed: bool
    tries: list[tuple[float, float]] = field(default_factory=list)


def match_rate(measure, target: float, start: float, lo: float, hi: float,
               tolerance: float = RATE_TOLERANCE, max_tries: int = 12, quantum: float = 0.0,
               aim: float = RATE_AIM) -> Match:
    """Find a knob in [lo, hi] whose measure(knob) (a rate that grows with the knob) is within
    `tolerance` (relative) of `target`, searching on until within `aim` (<= tolerance) while
    `max_tries` lasts. Secant steps on log(knob) against log(rate) from the two
    nearest tries on either side of the target (bisection in log when that step would leave the
    bracket), a proportional step knob * target / rate while the target is not bracketed.
    `quantum` > 0 rounds every knob to a multiple of it (a setting that only takes integers);
    the search stops when the next knob was already tried. Returns the closest try."""
    tries: list[tuple[float, float]] = []

    def snap(k: float) -> float:
        k = min(max(k, lo), hi)
        return max(lo, round(k / quantum) * quantum) if quantum > 0 else k

    def closest() -> tuple[float, float]:
        return min(tries, key=lambda t: abs(math.log(t[1] / target)) if t[1] > 0 else math.inf)

    knob = snap(start)
    for _ in range(max_tries):
        rate = float(measure(knob))
        tries.append((knob, rate))
        if rate > 0 and abs(rate / target - 1) <= aim:
            return Match(knob, rate, abs(rate / target - 1) <= tolerance, tries)
        below = [t for t in tries if 0 < t[1] < target]
        above = [t for t in tries if t[1] > target]
        if below and above:
            (k0, r0), (k1, r1) = max(below, key=lambda t: t[1]), min(above, key=lambda t: t[1])
            if k1 <= k0:        # not monotone here: nothing sensible left to try
                break
            mid = math.exp((math.log(k0) + math.log(k1)) / 2)
            if r1 > r0:
                step = math.exp(math.log(k0) + (math.log(target) - math.log(r0))
                                * (math.log(k1) - math.log(k0)) / (math.log(r1) - math.log(r0)))
            else:
                step = mid
            nxt = step if k0 < step < k1 else mid
        elif rate > 0:
            nxt = knob * min(4.0, max(0.25, target / rate))
        else:
            nxt = knob * 2
        nxt = snap(nxt)
        tried = [k for k, _ in tries]
        if any(abs(nxt - k) <= 1e-12 * max(1.0, abs(k)) for k in tried):
            if not (quantum > 0 and below and above):
                break
            # quantized knob between two neighbours: the untried steps just inside the bracket
            inside = [snap(k0 + quantum), snap(k1 - quantum)]
            inside = [c for c in inside if k0 < c < k1 and not any(abs(c - k) <= 1e-12 for k in tried)]
            if not inside:
                break
            nxt = inside[0]
        knob = nxt
    k, r = closest()
    return Match(k, r, r > 0 and abs(r / target - 1) <= tolerance, tries)


# --- alignment (pure) ----------------------------------------------------------------------------

def align(ref, test, max_lag: int):
    """(ref, test, delay): the decoded `test` (frames, channels) shifted by the delay that
    maximises its cross-correlation with `ref` (|delay| <= max_lag; > 0: test lags), both cut to
    the frames they share, so they have equal length."""
    delay = evaluate.estimate_delay(ref, test, max_lag)
    r, t = evaluate.overlap(ref, test, delay)
    return r, t, delay


# --- files and tools -----------------------------------------------------------------------------

def file_hash(path: str, n: int = 16) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:n]


def text_hash(*parts) -> str:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()[:16]


def first_line(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return ((p.stdout or p.stderr).strip().splitlines() or ["?"])[0]
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def write_json(path: str, obj) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
    with os.fdopen(fd, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def read_json(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


@dataclass
class Recording:
    name: str           # the manifest's name
    kind: str
    path: str           # the prepared clip (kind's rate and channels, --seconds long)
    source: str         # the manifest's package: source
    frames: int
    sample_rate: int
    channels: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


def select_recordings(rows: list[dict], kind: Kind) -> list[dict]:
    """The manifest rows one kind is measured on: one per (package, source), preferring the row
    at the kind's sample rate, else the highest rate; music needs >= 44.1 kHz stereo, speech mono."""
    best: dict[tuple[str, str], dict] = {}
    for row in rows:
        rate, ch = int(row["sample_rate"]), int(row["channels"])
        if row["kind"] != kind.name or ch != kind.channels:
            continue
        if kind.name == "music" and rate < 44100:
            continue
        key = (row["package"], row["source"])
        old = best.get(key)
        score = (rate == kind.sample_rate, rate)
        if old is None or score > (int(old["sample_rate"]) == kind.sample_rate, int(old["sample_rate"])):
            best[key] = row
    return sorted(best.values(), key=lambda r: r["name"])


def prepare(row: dict, kind: Kind, seconds: float) -> Recording:
    """The clip of one manifest row in the kind's format, made once (sox, deterministic)."""
    src = os.path.join(BENCH, "data", row["path"])
    out_dir = os.path.join(DATA, "inputs")
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, f"{row['name']}.{kind.sample_rate}.{kind.channels}ch.{seconds:g}s.{row['sha256']}.wav")
    if not os.path.exists(out):
        part = out + ".part.wav"
        cmd = ["sox", "-V1", "-D", src, "-b", "16", part]
        if int(row["sample_rate"]) != kind.sample_rate:
            cmd += ["rate", "-v", str(kind.sample_rate)]
        cmd += ["trim", "0", f"{seconds:g}"]
        run_command(cmd)
        os.replace(part, out)
    audio = evaluate.read_wav(out)
    return Recording(row["name"], kind.name, out, f"{row['package']}: {row['source']}", audio.frames,
                     audio.sample_rate, audio.channels)


# --- codecs --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coder:
    """One codec at one setting family; `knob` is the number the rate search moves."""
    family: str        # tqa, opus, aac, vorbis, mp3
    tune: str = ""     # tqa only: mse / perceptual ("" = the build has no --tune: its one tuning)
    tool: str = ""     # tqa: the binary's path
    tool_id: str = ""  # what makes an encode differ: the binary's hash, ffmpeg's version
    by_bitrate: bool = False  # tqa: --bitrate exists

    @property
    def label(self) -> str:
        names = {"opus": "Opus", "aac": "AAC", "vorbis": "Vorbis", "mp3": "MP3"}
        if self.family == "tqa":
            return f"tqa {self.tune or 'mse'}"
        return names[self.family]

    @property
    def ext(self) -> str:
        return {"tqa": "tqa", "opus": "opus", "aac": "m4a", "vorbis": "ogg", "mp3": "mp3"}[self.family]

    def knob_start(self, rec: Recording, kbps: float) -> tuple[float, float, float, float]:
        """(start, lo, hi, quantum) of the knob for a target rate."""
        if self.family == "tqa" and not self.by_bitrate:
            bps = kbps * 1000 / (rec.sample_rate * rec.channels)
            return bps, 0.01, 16.0, 0.0001
        return kbps, kbps / 4, kbps * 4, 0.001     # kbit/s, ffmpeg and --bitrate take integer bit/s

    def encode_cmd(self, src: str, out: str, knob: float) -> list[str]:
        if self.family == "tqa":
            cmd = [self.tool, "encode", src, "-o", out, "--codec", "spectral", "--force", "-q"]
            cmd += ["--bitrate", str(round(knob * 1000))] if self.by_bitrate else ["--bits-per-sample", f"{knob:.4f}"]
            return cmd + (["--tune", self.tune] if self.tune else [])
        rate = ["-b:a", str(round(knob * 1000))]
        opts = {"opus": ["-c:a", "libopus", "-vbr", "on"], "aac": ["-c:a", "aac"],
                "vorbis": ["-c:a", "libvorbis"], "mp3": ["-c:a", "libmp3lame"]}[self.family]
        return ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", src, *opts, *rate, "-map_metadata", "-1", out]

    def decode_cmd(self, comp: str, out: str, rec: Recording) -> list[str]:
        if self.family == "tqa":
            return [self.tool, "decode", comp, "-o", out, "--force", "-q"]
        return ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", comp, "-ar", str(rec.sample_rate),
                "-ac", str(rec.channels), "-c:a", "pcm_f32le", out]

    def payload_bytes(self, comp: str) -> int:
        if self.family == "tqa":
            return os.path.getsize(comp)
        ran = run_command(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "packet=size",
                           "-of", "csv=p=0", comp])
        return sum(int(x) for x in ran.stdout.split() if x.strip().isdigit())


def encode(coder: Coder, rec: Recording, knob: float) -> dict:
    """Encode once (cached): {"path", "bytes", "file_bytes", "kbps", "command"}."""
    d = os.path.join(DATA, "enc")
    os.makedirs(d, exist_ok=True)
    key = text_hash(file_hash(rec.path), *coder.encode_cmd("IN", "OUT", knob)[1:], coder.tool_id)
    stem = os.path.join(d, f"{rec.name}.{rec.kind}.{coder.label.replace(' ', '_')}.{key}")
    comp, meta_path = f"{stem}.{coder.ext}", f"{stem}.json"
    meta = read_json(meta_path)
    if meta and os.path.exists(comp):
        # The cache may have been written from another checkout (bench/data shared by a link):
        # the paths are today's, not the ones stored.
        return {**meta, "path": comp, "command": shown(coder.encode_cmd(rec.path, comp, knob))}
    part = f"{stem}.part.{coder.ext}"
    cmd = coder.encode_cmd(rec.path, part, knob)
    run_command(cmd)
    os.replace(part, comp)
    payload = coder.payload_bytes(comp)
    meta = {"path": comp, "bytes": payload, "file_bytes": os.path.getsize(comp),
            "kbps": payload * 8 / rec.duration / 1000, "command": shown(coder.encode_cmd(rec.path, comp, knob))}
    write_json(meta_path, meta)
    return meta


def decode(coder: Coder, rec: Recording, comp: str) -> tuple[str, str]:
    out = comp.rsplit(".", 1)[0] + ".dec.wav"
    cmd = coder.decode_cmd(comp, out, rec)
    if not os.path.exists(out):
        part = out + ".part.wav"
        run_command(coder.decode_cmd(comp, part, rec))
        os.replace(part, out)
    return out, shown(cmd)


# --- scores --------------------------------------------------------------------------------------

_VISQOL: dict[str, object] = {}


def visqol_api(mode: str):
    if mode not in _VISQOL:
        from visqol import VisqolApi
        api = VisqolApi()
        api.create(mode=mode)
        _VISQOL[mode] = api
    return _VISQOL[mode]


def visqol_mapper(mode: str) -> str:
    if mode == "audio":
        return "SVR (audio mode)"
    api = visqol_api(mode)
    lattice = getattr(getattr(api, "_manager", None), "use_lattice_model", None)
    return {True: "lattice (speech mode)", False: "polynomial fallback (speech mode; no ai-edge-litert)"}.get(
        lattice, "speech mode")


def score(kind: Kind, ref_path: str, dec_path: str) -> dict:
    """The kind's metrics of one decoded file against its reference (cached)."""
    d = os.path.join(DATA, "scores")
    os.makedirs(d, exist_ok=True)
    # the speech mode's lattice mapper scores differently from its polynomial fallback: its own key
    lattice = "visqol" in kind.metrics and visqol_mapper(kind.visqol_mode).startswith("lattice")
    parts = [file_hash(ref_path), file_hash(dec_path), kind.name, kind.metrics] + (["lattice"] if lattice else [])
    key = text_hash(*parts, "v1")
    path = os.path.join(d, f"{key}.json")
    cached = read_json(path)
    if cached:
        return cached
    ref, dec = evaluate.read_wav(ref_path), evaluate.read_wav(dec_path)
    if dec.sample_rate != ref.sample_rate or dec.channels != ref.channels:
        raise RuntimeError(f"{dec_path}: {dec.sample_rate} Hz x {dec.channels}, expected "
                           f"{ref.sample_rate} Hz x {ref.channels}")
    r, t, delay = align(ref.samples, dec.samples, int(MAX_LAG_SECONDS * ref.sample_rate))
    out: dict = {"delay_samples": delay, "frames_scored": len(r), "snr_db": evaluate.snr_db(r, t), "notes": ""}
    if "visqol" in kind.metrics:
        out["visqol"] = float(visqol_api(kind.visqol_mode).measure_from_arrays(
            r.mean(axis=1), t.mean(axis=1), ref.sample_rate).moslqo)
    if "pesq_wb" in kind.metrics:
        from pesq import pesq
        try:
            out["pesq_wb"] = float(pesq(ref.sample_rate, r[:, 0], t[:, 0], "wb"))
        except Exception as e:  # the package raises its own error types (no utterance found, ...)
            out["pesq_wb"], out["notes"] = math.nan, f"pesq: {e}"
    if "stoi" in kind.metrics:
        from pystoi import stoi
        out["stoi"] = float(stoi(r[:, 0], t[:, 0], ref.sample_rate, extended=False))
    write_json(path, {k: (None if isinstance(v, float) and not math.isfinite(v) and k != "snr_db" else v)
                      for k, v in out.items()})
    return out


# --- one cell ------------------------------------------------------------------------------------

def measure_one(task: tuple) -> dict:
    """Match the rate, decode, score: one CSV row. Errors become a row with `error`."""
    coder, rec, kind, target = task
    row = {"kind": rec.kind, "recording": rec.name, "codec": coder.label, "target_kbps": target,
           "seconds": round(rec.duration, 3), "source": rec.source}
    try:
        start, lo, hi, quantum = coder.knob_start(rec, target)
        m = match_rate(lambda k: encode(coder, rec, k)["kbps"], target, start, lo, hi, quantum=quantum)
        enc = encode(coder, rec, m.knob)
        dec, dec_cmd = decode(coder, rec, enc["path"])
        s = score(kind, rec.path, dec)
        row.update({"kbps": enc["kbps"], "deviation_pct": (enc["kbps"] / target - 1) * 100, "landed": m.landed,
                    "knob": m.knob, "tries": len(m.tries), "payload_bytes": enc["bytes"],
                    "file_bytes": enc["file_bytes"], "delay_samples": s["delay_samples"],
                    **{k: s.get(k) for k in kind.metrics}, "notes": s.get("notes", ""),
                    "commands": f"{enc['command']} && {dec_cmd}", "error": ""})
    except Exception as e:  # one failed cell is a row saying why; the others still come out
        row.update({"landed": False, "error": str(e).replace("\n", " ")[:400]})
    return row


CSV_FIELDS = ["kind", "recording", "codec", "target_kbps", "kbps", "deviation_pct", "landed", "knob", "tries",
              "payload_bytes", "file_bytes", "visqol", "pesq_wb", "stoi", "snr_db", "delay_samples", "seconds",
              "source", "notes", "error", "commands"]


# --- tables --------------------------------------------------------------------------------------

def as_float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def as_bool(v) -> bool:
    return v is True or str(v) == "True"


def kind_tables(kind: Kind, rows: list[dict]) -> list[str]:
    """The markdown of one kind: one table per metric (target rate x codec, mean over the
    recordings), the rates reached, and what did not land."""
    rows = [r for r in rows if r["kind"] == kind.name]
    if not rows:
        return []
    codecs = [c for c in ["tqa mse", "tqa perceptual", "Opus", "AAC", "Vorbis", "MP3"]
              if any(r["codec"] == c for r in rows)]
    targets = sorted({as_float(r["target_kbps"]) for r in rows})
    recs = sorted({r["recording"] for r in rows})
    package = {r["recording"]: str(r.get("source") or "").split(":")[0] for r in rows}
    named = ", ".join(f"{n} ({package[n]})" if package.get(n) else n for n in recs)
    lines = [f"**{kind.name}** ({kind.sample_rate // 1000} kHz, {'stereo' if kind.channels == 2 else 'mono'}; "
             f"{len(recs)} recordings: {named}; mean over the recordings)", ""]
    missing: list[str] = []
    for metric in kind.metrics:
        lines += [f"| {kind.name} kbit/s: {METRIC_NAMES[metric]} | " + " | ".join(codecs) + " |",
                  "| --- |" + " --- |" * len(codecs)]
        for t in targets:
            cells = []
            for c in codecs:
                cell = [r for r in rows if r["codec"] == c and as_float(r["target_kbps"]) == t]
                failed = [r for r in cell if r.get("error")]
                off = [r for r in cell if not r.get("error") and not as_bool(r.get("landed"))]
                vals = [as_float(r.get(metric)) for r in cell if not r.get("error")]
                if metric == kind.metrics[0]:
                    for r in failed:
                        missing.append(f"{c} at {t:g} kbit/s on {r['recording']}: failed: {r['error']}")
                    for r in off:
                        missing.append(f"{c} at {t:g} kbit/s on {r['recording']}: could not land within "
                                       f"{RATE_TOLERANCE * 100:g} %, closest {fmt(as_float(r.get('kbps')), 2)} kbit/s "
                                       f"({as_float(r.get('deviation_pct')):+.1f} %), scored there")
                if failed or not vals:
                    cells.append("failed" if failed else "–")
                elif all(math.isfinite(v) for v in vals):
                    digits = 3 if metric == "stoi" else 1 if metric == "snr_db" else 2
                    cells.append(fmt(sum(vals) / len(vals), digits) + ("†" if off else "")
                                 + (f" ({len(vals)} of {len(recs)})" if len(vals) < len(recs) else ""))
                else:
                    cells.append("–")
            lines.append(f"| {t:g} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["| rate reached: mean kbit/s (largest deviation) | " + " | ".join(codecs) + " |",
              "| --- |" + " --- |" * len(codecs)]
    for t in targets:
        cells = []
        for c in codecs:
            ok = [r for r in rows if r["codec"] == c and as_float(r["target_kbps"]) == t and not r.get("error")]
            if not ok:
                cells.append("–")
                continue
            k = [as_float(r["kbps"]) for r in ok]
            dev = max((as_float(r["deviation_pct"]) for r in ok), key=abs)
            cells.append(f"{sum(k) / len(k):.1f} ({dev:+.1f} %)")
        lines.append(f"| {t:g} | " + " | ".join(cells) + " |")
    lines.append("")
    if missing:
        lines += ["† includes a recording off the target rate (below); \"failed\": not measured, the error below; "
                  "(k of N): the mean of the k recordings measured.", ""] + [f"- {m}" for m in missing] + [""]
    return lines


# The targets of issue 15: (kind, metric, peer, rates or None for every rate, margin): tqa's mean
# must be >= the peer's mean - margin.
TARGETS = [
    ("music", "visqol", "AAC", None, 0.0),
    ("music", "visqol", "Opus", (96.0, 128.0), 0.1),
    ("speech", "pesq_wb", "AAC", None, 0.0),
    ("speech", "pesq_wb", "Opus", (24.0,), 0.3),
    ("speech", "pesq_wb", "Opus", (32.0,), 0.0),
]


def cell_mean(rows: list[dict], kind: str, codec: str, target: float, metric: str) -> float:
    """The mean of one cell over its recordings; NaN when any of them failed or has no score."""
    cell = [r for r in rows if r["kind"] == kind and r["codec"] == codec and as_float(r["target_kbps"]) == target]
    vals = [as_float(r.get(metric)) for r in cell]
    if not cell or any(r.get("error") for r in cell) or not all(math.isfinite(v) for v in vals):
        return math.nan
    return sum(vals) / len(vals)


def target_checks(rows: list[dict]) -> list[str]:
    """One line per tqa tuning x target of issue 15 that this run can judge: met or missed, by how much."""
    lines = []
    tunings = [c for c in ("tqa mse", "tqa perceptual") if any(r["codec"] == c for r in rows)]
    for tq in tunings:
        for kind, metric, peer, rates, margin in TARGETS:
            present = sorted({as_float(r["target_kbps"]) for r in rows if r["kind"] == kind and r["codec"] == tq})
            for t in (present if rates is None else [x for x in rates if x in present]):
                mine, theirs = cell_mean(rows, kind, tq, t, metric), cell_mean(rows, kind, peer, t, metric)
                if not (math.isfinite(mine) and math.isfinite(theirs)):
                    continue
                need = f"≥ {peer}" + (f" − {margin:g}" if margin else "")
                verdict = "met" if mine >= theirs - margin - 1e-9 else "missed"
                lines.append(f"| {tq} | {kind} {t:g} kbit/s | {METRIC_NAMES[metric]} {need} | "
                             f"{mine:.2f} vs {theirs:.2f} ({mine - theirs:+.2f}) | {verdict} |")
    if not lines:
        return []
    return (["Targets of issue 15 (means over the recordings above):", "",
             "| tqa | cell | target | tqa vs peer | |", "| --- | --- | --- | --- | --- |"] + lines + [""])


def report(rows: list[dict], header: list[str]) -> str:
    lines = list(header)
    for kind in KINDS.values():
        lines += kind_tables(kind, rows)
    lines += target_checks(rows)
    return "\n".join(lines).rstrip() + "\n"


def write_benchmarks(section: str, title: str, path: str) -> None:
    """Replace the section `## title` (up to the next `## `) of BENCHMARKS.md, else append it."""
    with open(path) as f:
        text = f.read()
    head = f"## {title}\n"
    body = head + "\n" + section.rstrip() + "\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l == head), None)
    if start is None:
        new = text.rstrip() + "\n\n" + body
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "".join(lines[:start]) + body + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
    with os.fdopen(fd, "w") as f:
        f.write(new)
    os.replace(tmp, path)


# --- main ----------------------------------------------------------------------------------------

def tqa_features(binary: str) -> tuple[bool, bool]:
    """(has --tune, has --bitrate) from `tqa encode --help`."""
    p = subprocess.run([binary, "encode", "--help"], capture_output=True, text=True)
    text = p.stdout + p.stderr
    return "--tune" in text, "--bitrate" in text


def parse_list(s: str | None) -> list[str]:
    return [x.strip() for x in s.split(",") if x.strip()] if s else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", default="music,speech", help="music, speech or both (default both)")
    ap.add_argument("--files", help="only these manifest names, comma-separated")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of each clip (default 10)")
    ap.add_argument("--rates", help="target kbit/s for every kind run (default music 64,96,128; speech 16,24,32)")
    ap.add_argument("--codecs", default=",".join(ALL_CODECS), help="tqa,opus,aac,vorbis,mp3")
    ap.add_argument("--tunings", help="tqa tunings, e.g. mse,perceptual (default: both if the binary has --tune)")
    ap.add_argument("--tqa", help="the tqa binary (default $TQA_BIN or .build/release/tqa)")
    ap.add_argument("--quick", action="store_true", help="tqa only (same as --codecs tqa)")
    ap.add_argument("--jobs", type=int, default=1, help="cells measured at once (processes)")
    ap.add_argument("--write-benchmarks", action="store_true", help="put the tables into BENCHMARKS.md")
    ap.add_argument("--title", default=DEFAULT_TITLE, help="the BENCHMARKS.md section (replaced when present)")
    ap.add_argument("--note", help="a sentence for the report's head (e.g. which source the tqa build is)")
    ap.add_argument("--from-csv", help="re-render the tables of an earlier run's CSV; measures nothing")
    ap.add_argument("--out", default=os.path.join(WORK, "perceptual"), help="output stem (.md, .csv)")
    a = ap.parse_args(argv)

    kinds = parse_list(a.kinds)
    for k in kinds:
        if k not in KINDS:
            ap.error(f"--kinds: unknown kind {k!r} (music, speech)")
    codecs = ["tqa"] if a.quick else parse_list(a.codecs)
    for c in codecs:
        if c not in ALL_CODECS:
            ap.error(f"--codecs: unknown codec {c!r} ({', '.join(ALL_CODECS)})")
    try:
        rates = [float(x) for x in parse_list(a.rates)]
    except ValueError:
        ap.error(f"--rates: not a list of numbers: {a.rates}")
    if any(not (r > 0) for r in rates):
        ap.error("--rates: every rate must be > 0 kbit/s")
    if a.jobs < 1:
        ap.error("--jobs must be >= 1")
    if not a.seconds > 0:
        ap.error("--seconds must be > 0")

    command = "bash bench/perceptual.sh " + " ".join(shown([x]) for x in (argv if argv is not None else sys.argv[1:]))
    if a.from_csv:
        with open(a.from_csv, newline="") as f:
            rows = list(csv.DictReader(f))
        header = [f"Re-rendered from {a.from_csv}.", ""]
    else:
        rows, header = run(a, kinds, codecs, rates, command)
    if a.note:
        header = [a.note, ""] + header
    text = report(rows, header)
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out + ".md", "w") as f:
        f.write(text)
    print(text)
    print(f"tables: {a.out}.md, rows: {a.out}.csv", file=sys.stderr)
    if a.write_benchmarks:
        write_benchmarks(text, a.title, os.path.join(ROOT, "BENCHMARKS.md"))
        print(f"BENCHMARKS.md: section '{a.title}' written", file=sys.stderr)
    return 1 if any(r.get("error") for r in rows) else 0


def run(a, kinds: list[str], codecs: list[str], rates: list[float], command: str) -> tuple[list[dict], list[str]]:
    require_tools("ffmpeg", "ffprobe", "sox")
    if a.jobs > 1:  # visqol-python[accel]'s numba kernels: one thread per process when processes run side by side
        os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    try:
        import pesq, pystoi, visqol  # noqa: F401  (checked here, used in the workers)
    except ImportError as e:
        sys.exit(f"error: {e.name} is not installed in {sys.executable}: run {SETUP} once (it installs "
                 f"visqol-python, pesq, pystoi into bench/work/venv)")
    coders: list[Coder] = []
    if "tqa" in codecs:
        binary = a.tqa or tqa_bin()
        binary = binary if os.path.isabs(binary) else os.path.abspath(binary)
        require_file(binary, "swift build -c release --product tqa (or pass --tqa PATH)")
        has_tune, has_bitrate = tqa_features(binary)
        tunings = parse_list(a.tunings) or (["mse", "perceptual"] if has_tune else [""])
        if not has_tune and any(t not in ("", "mse") for t in tunings):
            sys.exit(f"error: {binary} has no --tune option: only --tunings mse runs on this build")
        bid = file_hash(binary)
        for t in tunings:
            coders.append(Coder("tqa", tune=t if has_tune else "", tool=binary, tool_id=bid, by_bitrate=has_bitrate))
    ffv = first_line(["ffmpeg", "-version"])
    coders += [Coder(c, tool_id=ffv) for c in codecs if c in PEER_CODECS]

    manifest = [row for _, row in codec_matrix.load_manifest(set(kinds), set(parse_list(a.files)) or None)]
    tasks = []
    recs_by_kind: dict[str, list[Recording]] = {}
    for kname in kinds:
        kind = KINDS[kname]
        recs = [prepare(row, kind, a.seconds) for row in select_recordings(manifest, kind)]
        recs_by_kind[kname] = recs
        for rec in recs:
            for t in rates or kind.rates_kbps:
                tasks += [(c, rec, kind, float(t)) for c in coders]
    if not tasks:
        sys.exit("error: no recording matches (--kinds/--files); bash bench/fetch_recordings.sh makes them")
    print(f"{len(tasks)} cells on {a.jobs} process(es)", file=sys.stderr, flush=True)
    # tqa, Opus and AAC (the targets) on every recording before Vorbis and MP3
    tasks.sort(key=lambda t: ALL_CODECS.index(t[0].family))
    rows: list[dict] = []
    # the rows go to OUT.csv.part as they come (--from-csv renders a cut-short run), then OUT.csv
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out + ".csv.part", "w", newline="") as f, ProcessPoolExecutor(max_workers=a.jobs) as pool:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for row in pool.map(measure_one, tasks):
            status = row["error"] or f"{fmt(as_float(row.get('kbps')), 1)} kbit/s" + ("" if row["landed"] else " NOT AT RATE")
            print(f"  {row['kind']} {row['recording']} {row['codec']} {row['target_kbps']:g}: {status}",
                  file=sys.stderr, flush=True)
            rows.append(row)
            w.writerow(row)
            f.flush()
    os.replace(a.out + ".csv.part", a.out + ".csv")

    import importlib.metadata as md
    def version(p: str) -> str:
        try:
            return f"{p} {md.version(p)}"
        except md.PackageNotFoundError:
            return f"no {p}"
    versions = ", ".join(version(p) for p in ("visqol-python", "numba", "ai-edge-litert", "pesq", "pystoi",
                                              "numpy", "scipy"))
    tqa_line = ""
    if "tqa" in codecs:
        git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        tqa_line = f"; tqa: {shown([coders[0].tool])} (sha256 {coders[0].tool_id}, worktree HEAD {git.stdout.strip()})"
    header = [f"`{command.strip()}` — {utc_now()}, {cpu_model()}, {os.cpu_count()} cores, "
              f"load {os.getloadavg()[0]:.1f}.", "",
              f"Clips: the first {a.seconds:g} s of each recording (sox -D rate -v). Rates: audio payload / "
              f"duration (tqa: the whole .tqa file; peers: the audio packets, ffprobe), each within "
              f"{RATE_TOLERANCE * 100:g} % of the target by a knob search. Aligned by cross-correlation. "
              f"Encodes and scores cached in bench/data/perceptual/ (by clip, command, binary) are reused, "
              f"so the date is the report's, not necessarily each measurement's. "
              f"ViSQOL mapper: music {visqol_mapper('audio')}" +
              (f", speech {visqol_mapper('speech')}" if "speech" in kinds else "") + ".", "",
              f"Tools: {ffv}{tqa_line}; {versions}. Opus = libopus VBR, AAC = ffmpeg native aac, "
              f"Vorbis = libvorbis -b:a, MP3 = libmp3lame CBR. Per recording: `" + shown([a.out + ".csv"]) + "`.", ""]
    return rows, header


if __name__ == "__main__":
    sys.exit(main())
