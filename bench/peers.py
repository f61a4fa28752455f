#!/usr/bin/env python3
"""Measure every peer codec on every recording of the manifest.

    bash bench/peers.sh [--files a,b] [--kinds music,speech] [--no-seed]

Peers: flac -5 (lossless, the speed reference), WavPack hybrid -b2/-b3/-b4/-b6 with
noise shaping off (-s0), ffmpeg's aptx, aptx_hd and adpcm_ima_wav encoders, and the
seed audiotq 0.1.1 (`tqa-cli run`). Writes bench/work/peers.csv and
bench/work/peers.md (a table per recording, the commands and the tool versions).
"""
from __future__ import annotations

import argparse
import os
import platform

import codec_matrix as cm
import peer_codecs as pc
from common import BENCH, Stopwatch, fmt, utc_now


def peer_list(seed: bool = True) -> list[pc.Codec]:
    codecs: list[pc.Codec] = [pc.FLAC()]
    codecs += [pc.WavPackHybrid(bits=b) for b in (2, 3, 4, 6)]
    codecs += [pc.aptx(), pc.aptx_hd(), pc.ima_adpcm()]
    if seed:
        codecs.append(pc.SeedAudiotq())
    return codecs


def versions_md() -> str:
    v = pc.tool_versions()
    lines = [f"- {k}: `{v[k]}`" for k in ("flac", "wavpack", "wvunpack", "ffmpeg", "sox", "audiotq", "numpy", "tqa")]
    lines.append(f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    return "\n".join(lines)


def commands_md(rows: list[dict]) -> str:
    seen, lines = set(), []
    for r in rows:
        key = (r["codec"], r["setting"])
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"- {r['codec']} `{r['setting']}`: `{r['commands']}`")
    return "\n".join(lines)


def summary_md(rows: list[dict], names: list[str]) -> str:
    """Codec × recording matrix of 'bits/sample · SNR dB'."""
    names = [n for n in names if any(r["file"] == n for r in rows)]
    lines = ["| codec | " + " | ".join(f"`{n}`" for n in names) + " |", "|---|" + "---|" * len(names)]
    seen = []
    for r in rows:
        key = (r["codec"], r["setting"])
        if key not in seen:
            seen.append(key)
    for codec, setting in seen:
        cells = []
        for n in names:
            r = next((x for x in rows if x["file"] == n and (x["codec"], x["setting"]) == (codec, setting)), None)
            cells.append("–" if r is None else f"{r['bits_per_sample']:.2f} · {fmt(r['snr_db'], 1)}")
        lines.append(f"| {codec} `{setting}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", help="comma-separated recording names (default: all but the speed file)")
    ap.add_argument("--kinds", default="music,speech,speech-tts")
    ap.add_argument("--no-seed", action="store_true")
    ap.add_argument("--from-csv", help="only re-render the markdown from an earlier peers.csv")
    ap.add_argument("--out", default=os.path.join(BENCH, "work"))
    a = ap.parse_args()
    names = set(a.files.split(",")) if a.files else None
    recs = cm.load_manifest(kinds=None if names else set(a.kinds.split(",")), names=names)
    codecs = peer_list(seed=not a.no_seed)
    clock, started = Stopwatch(), utc_now()
    problems: list[str] = []
    if a.from_csv:
        rows = cm.read_csv(a.from_csv)
    else:
        rows, problems = cm.run_matrix([r[0] for r in recs], codecs, os.path.join(a.out, "peers"))
        os.makedirs(a.out, exist_ok=True)
        cm.write_csv(rows, os.path.join(a.out, "peers.csv"))
    groups = cm.by_file(rows)
    took = f"re-rendered from {a.from_csv}" if a.from_csv else f"{clock.seconds:.0f} s"
    parts = [f"# Peer codecs on real recordings\n\nRun {started}, "
             f"`bash bench/peers.sh`, {took}.\n"]
    if problems:
        parts.append("Not measured:\n" + cm.problems_md(problems) + "\n")
    parts.append("## Summary: bits/sample · SNR dB\n\n" + summary_md(rows, [r[0].name for r in recs]) + "\n")
    for inp, meta in recs:
        if inp.name not in groups:
            continue
        parts.append(f"## {cm.file_heading(meta)}\n\n{cm.markdown_table(groups[inp.name])}\n")
    parts.append("## Commands\n\n" + commands_md(rows) + "\n")
    parts.append("## Versions\n\n" + versions_md() + "\n")
    md = "\n".join(parts)
    with open(os.path.join(a.out, "peers.md"), "w") as f:
        f.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
