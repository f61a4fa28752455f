#!/usr/bin/env python3
"""The rate-distortion run: tqa --codec spectral against the peers on real recordings.

    bash bench/rd_table.sh [--files a,b] [--rates 2,3,4,6] [--wavpack-rates 2,3,4,6,8] [--with-seed]
    bash bench/rd_table.sh --matched [--files a,b] [--rates 2,3,4,6]

For every music and speech recording of the manifest, in one run: tqa spectral at
each --bits-per-sample rate, WavPack hybrid -bN -s0 at the same nominal rates, aptX, aptX HD and
IMA ADPCM (and the seed with --with-seed). Prints per recording a table, a text plot
of SNR against bits per sample for each codec, and the checks of issue 3:
  - tqa's SNR minus WavPack's SNR at the same bits per sample (WavPack's curve
    interpolated linearly between its measured points; target: >= +1 dB, and the
    tqa file no larger, so the comparison point is at tqa's own measured rate);
  - tqa at 4 b/s against aptX, tqa at 6 b/s against aptX HD (target: higher);
  - rate accuracy: measured bits per sample against the requested (target: 2 %).
Writes bench/work/rd_table.md and bench/work/rd_table.csv.

--matched: the rate-matched table of docs/SPECTRAL.md instead. Per recording, WavPack
-bN -s0 for N in --rates, aptX and aptX HD are measured, then tqa spectral is run at
--bits-per-sample X = 0.99 x that peer's measured bits per sample (rounded down to 4
decimals), so the tqa file is never larger, and the SNRs compared. Writes
bench/work/rd_matched.md and bench/work/rd_matched.csv (a tqa row names its peer in
`note`, which is how --from-csv pairs them again).
"""
from __future__ import annotations

import argparse
import math
import os

import codec_matrix as cm
import peer_codecs as pc
from common import BENCH, Stopwatch, build_tqa, fmt, interpolate, require_tqa, utc_now
from peers import commands_md, versions_md

MARKERS = {"tqa": "T", "tqa turbo": "C", "wavpack": "W", "aptx": "A", "aptx_hd": "H", "ima_adpcm": "I", "seed audiotq": "S"}


def codec_list(rates: list[float], wavpack_rates: list[float], seed: bool,
               turbo_bits: list[int]) -> list[pc.Codec]:
    codecs: list[pc.Codec] = [pc.TQA(codec="spectral", options=["--bits-per-sample", f"{r:g}"]) for r in rates]
    codecs += [pc.TQA(codec="turbo", options=["--bits", str(b)]) for b in turbo_bits]
    codecs += [pc.WavPackHybrid(bits=r) for r in wavpack_rates]
    codecs += [pc.aptx(), pc.aptx_hd(), pc.ima_adpcm()]
    if seed:
        codecs.append(pc.SeedAudiotq())
    return codecs


def text_plot(rows: list[dict], width: int = 64, height: int = 18) -> str:
    """SNR (dB, vertical) against bits per sample (horizontal), one marker per codec."""
    pts = [(r["bits_per_sample"], r["snr_db"], MARKERS.get(r["codec"], "?")) for r in rows
           if math.isfinite(r["snr_db"])]
    if not pts:
        return "(nothing to plot)"
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = 5 * math.floor(min(ys) / 5), 5 * math.ceil(max(ys) / 5)
    x1 = max(x1, x0 + 1)
    y1 = max(y1, y0 + 5)
    grid = [[" "] * width for _ in range(height)]
    for x, y, m in pts:
        c = round((x - x0) / (x1 - x0) * (width - 1))
        rr = height - 1 - round((y - y0) / (y1 - y0) * (height - 1))
        grid[rr][c] = m if grid[rr][c] in (" ", m) else "*"
    lines = []
    for i, row in enumerate(grid):
        yv = y1 - (y1 - y0) * i / (height - 1)
        label = f"{yv:6.1f} |" if i % 3 == 0 or i == height - 1 else "       |"
        lines.append(label + "".join(row))
    lines.append("       +" + "-" * width)
    ticks = [" "] * (width + 8)
    for b in range(x0, x1 + 1):
        c = 8 + round((b - x0) / (x1 - x0) * (width - 1))
        ticks[c:c + len(str(b))] = list(str(b))
    lines.append("".join(ticks).rstrip() + "   bits/sample")
    used = sorted({p[2] for p in pts})
    legend = ", ".join(f"{m} = {name}" for name, m in MARKERS.items() if m in used)
    lines.append(f"        SNR dB against bits/sample; {legend}; * = overlap")
    return "\n".join(lines)


def series(rows: list[dict]) -> str:
    """One line per codec family: its (bits/sample, SNR) points in rate order."""
    fams: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        fams.setdefault(r["codec"], []).append((r["bits_per_sample"], r["snr_db"]))
    return "\n".join(f"{name:12s} " + "  ".join(f"({b:.2f}, {fmt(s, 1)} dB)" for b, s in sorted(pts))
                     for name, pts in fams.items())


def checks(rows: list[dict], rates: list[float]) -> list[str]:
    """Issue 3's targets on one recording, as markdown bullet lines."""
    tqa = [r for r in rows if r["codec"] == "tqa"]
    if not tqa:
        return ["- tqa spectral: no rows (see 'Not measured' above)"]
    wv = [(r["bits_per_sample"], r["snr_db"]) for r in rows if r["codec"] == "wavpack"]
    out = []
    for r in sorted(tqa, key=lambda r: r["bits_per_sample"]):
        want = next((x for x in rates if f"--bits-per-sample {x:g}" in r["setting"]), math.nan)
        err = 100.0 * (r["bits_per_sample"] - want) / want if want == want else math.nan
        ref = interpolate(wv, r["bits_per_sample"])
        where = "WavPack at that rate"
        lowest = min(wv) if wv else None
        if math.isnan(ref) and lowest and r["bits_per_sample"] <= lowest[0]:
            # below WavPack's floor (-b2 is its minimum): compare with its cheapest file,
            # which is larger than tqa's, so the comparison favours WavPack
            ref, where = lowest[1], f"WavPack's lowest rate ({lowest[0]:.2f} b/s, a larger file)"
        margin = r["snr_db"] - ref
        verdict = "n/a (above WavPack's measured range: add a higher --wavpack-rates)" if math.isnan(margin) else (
            "meets +1 dB" if margin >= 1.0 else "MISSES +1 dB")
        out.append(f"- tqa `{r['setting']}`: {r['bits_per_sample']:.3f} b/s (rate error {fmt(err, 1)} %"
                   f"{', outside ±2 %' if abs(err) > 2.0 else ''}), "
                   f"SNR {fmt(r['snr_db'])} dB; {where} {fmt(ref)} dB; margin "
                   f"{fmt(margin)} dB: {verdict}")
    for fam, rate in (("aptx", 4.0), ("aptx_hd", 6.0)):
        peer = next((r for r in rows if r["codec"] == fam), None)
        mine = next((r for r in tqa if f"--bits-per-sample {rate:g}" in r["setting"]), None)
        if peer and mine:
            d = mine["snr_db"] - peer["snr_db"]
            out.append(f"- tqa at {rate:g} b/s vs {fam}: {fmt(mine['snr_db'])} vs {fmt(peer['snr_db'])} dB "
                       f"({fmt(d, signed=True)} dB): {'higher' if d > 0 else 'NOT higher'}")
    return out


MATCH = 0.99
MATCHED_NOTE = "at 0.99 × "


def matched_rate(peer_bits_per_sample: float) -> str:
    """tqa's --bits-per-sample for a peer point: 0.99 × its rate, rounded down to 4 decimals."""
    x = math.floor(MATCH * peer_bits_per_sample * 1e4 + 1e-6) / 1e4
    return f"{x:.4f}".rstrip("0").rstrip(".")


def run_matched(inputs: list[pc.Input], wavpack_rates: list[float], workdir: str) -> tuple[list[dict], list[str]]:
    """Peer rows, then per peer row a tqa spectral row at matched_rate of it (its note names the peer)."""
    peers: list[pc.Codec] = [pc.WavPackHybrid(bits=r) for r in wavpack_rates] + [pc.aptx(), pc.aptx_hd()]
    rows, problems = [], []
    for inp in inputs:
        prow, probs = cm.run_matrix([inp], peers, workdir)
        rows += prow
        problems += probs
        for p in prow:
            tqa = pc.TQA(codec="spectral", options=["--bits-per-sample", matched_rate(p["bits_per_sample"])])
            trow, probs = cm.run_matrix([inp], [tqa], workdir)
            for t in trow:
                t["note"] = "; ".join(n for n in (f"{MATCHED_NOTE}{p['codec']} {p['setting']}", t["note"]) if n)
            rows += trow
            problems += probs
    return rows, list(dict.fromkeys(problems))


def peer_name(r: dict) -> str:
    if r["codec"] == "wavpack":
        return f"wavpack {r['setting'].split()[0]}"
    return {"aptx_hd": "aptx HD"}.get(r["codec"], r["codec"])


def matched_pairs(rows: list[dict]) -> list[tuple[dict, dict | None]]:
    """(peer row, its tqa row or None) in the order of the peer rows."""
    tqa = [r for r in rows if r["codec"] == "tqa"]
    out = []
    for p in (r for r in rows if r["codec"] != "tqa"):
        key = f"{MATCHED_NOTE}{p['codec']} {p['setting']}"
        out.append((p, next((t for t in tqa if t["file"] == p["file"] and key in t["note"]), None)))
    return out


def matched_md(pairs: list[tuple[dict, dict | None]]) -> str:
    """The table of docs/SPECTRAL.md, then the smallest margins and every exception."""
    lines = ["| recording | peer | peer bits/sample | peer SNR dB | spectral `--bits-per-sample` | "
             "spectral bits/sample | spectral SNR dB | Δ SNR dB |", "|---|---|---|---|---|---|---|---|"]
    for p, t in pairs:
        x = t["setting"].split("--bits-per-sample ", 1)[1] if t else "–"
        d = t["snr_db"] - p["snr_db"] if t else math.nan
        lines.append(f"| `{p['file']}` | {peer_name(p)} | {p['bits_per_sample']:.3f} | {fmt(p['snr_db'])} | {x} | "
                     + (f"{t['bits_per_sample']:.3f} | {fmt(t['snr_db'])} | {fmt(d, signed=True)} |" if t else "– | – | – |"))
    lines.append("")
    for title, fams in (("WavPack", ("wavpack",)), ("aptX / aptX HD", ("aptx", "aptx_hd"))):
        ds = [(t["snr_db"] - p["snr_db"], p) for p, t in pairs if t and p["codec"] in fams]
        if ds:
            d, p = min(ds, key=lambda e: e[0])
            lines.append(f"Smallest Δ over {title}: {fmt(d, signed=True)} dB (`{p['file']}`, {peer_name(p)}).")
    below = [f"`{p['file']}` {peer_name(p)} ({fmt(t['snr_db'] - p['snr_db'], signed=True)} dB)"
             for p, t in pairs if t and not t["snr_db"] - p["snr_db"] >= 1.0]
    lines.append("Rows where tqa is not ≥ 1 dB better: " + (", ".join(below) if below else "none") + ".")
    larger = [f"`{p['file']}` {peer_name(p)} ({t['compressed_bytes']} > {p['compressed_bytes']} bytes)"
              for p, t in pairs if t and t["compressed_bytes"] > p["compressed_bytes"]]
    lines.append("tqa files larger than the peer's: " + (", ".join(larger) if larger else "none") + ".")
    missing = [f"`{p['file']}` {peer_name(p)}" for p, t in pairs if t is None]
    if missing:
        lines.append("No tqa row (see 'Not measured'): " + ", ".join(missing) + ".")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", help="comma-separated recording names (default: every music and speech file)")
    ap.add_argument("--kinds", default="music,speech,speech-tts")
    ap.add_argument("--rates", default="2,3,4,6",
                    help="bits per sample for tqa and WavPack (with --matched: the WavPack -bN points)")
    ap.add_argument("--wavpack-rates", default="2,3,4,6,8",
                    help="WavPack -bN values; more than --rates because WavPack spends less than N "
                         "on quiet passages and its curve must reach tqa's highest rate")
    ap.add_argument("--with-seed", action="store_true", help="also run the seed audiotq 0.1.1 (slow)")
    ap.add_argument("--turbo-bits", default="", help="also run tqa --codec turbo --bits B for these B, e.g. 1,2,3,4,5")
    ap.add_argument("--out", default=os.path.join(BENCH, "work"))
    ap.add_argument("--from-csv", help="only re-render the markdown from an earlier rd_table.csv (rd_matched.csv)")
    ap.add_argument("--build", action="store_true", help="swift build -c release --product tqa first")
    ap.add_argument("--matched", action="store_true",
                    help="the rate-matched table: tqa at 0.99 x each peer's measured bits per sample "
                         "-> rd_matched.{md,csv}")
    a = ap.parse_args()
    rates = [float(x) for x in a.rates.split(",")]
    names = set(a.files.split(",")) if a.files else None
    recs = cm.load_manifest(kinds=None if names else set(a.kinds.split(",")), names=names)
    stem = "rd_matched" if a.matched else "rd_table"
    problems: list[str] = []
    clock, started = Stopwatch(), utc_now()
    os.makedirs(a.out, exist_ok=True)
    if a.from_csv:
        rows = cm.read_csv(a.from_csv)
    else:
        if a.build:
            build_tqa()
        require_tqa()
        inputs, workdir = [r[0] for r in recs], os.path.join(a.out, "rd")
        if a.matched:
            rows, problems = run_matched(inputs, rates, workdir)
        else:
            codecs = codec_list(rates, [float(x) for x in a.wavpack_rates.split(",")], a.with_seed,
                                [int(b) for b in a.turbo_bits.split(",") if b])
            rows, problems = cm.run_matrix(inputs, codecs, workdir)
        cm.write_csv(rows, os.path.join(a.out, f"{stem}.csv"))
    took = f"re-rendered from {a.from_csv}" if a.from_csv else f"{clock.seconds:.0f} s"
    run = f"Run {started}"
    how = ("SNR over all channels after alignment, not gain-corrected (bench/evaluate.py); "
           "bits/sample = file bytes × 8 / (frames × channels).")
    if a.matched:
        parts = [f"# Rate-matched table\n\n{run}, `bash bench/rd_table.sh --matched`, {took}. Per recording: "
                 f"WavPack hybrid {', '.join(f'-b{r:g}' for r in rates)} (-s0), aptX and aptX HD, then "
                 f"`tqa encode --codec spectral --bits-per-sample X` with X = {MATCH:g} × the peer's measured "
                 f"bits per sample (rounded down to 4 decimals), so that the tqa file is never larger. {how}\n"]
    else:
        parts = [f"# Rate-distortion table\n\n{run}, `bash bench/rd_table.sh`, {took}. {how}\n"]
    if problems:
        parts.append("Not measured:\n" + cm.problems_md(problems) + "\n")
    if a.matched:
        parts.append(matched_md(matched_pairs(rows)) + "\n")
    else:
        groups = cm.by_file(rows)
        for inp, meta in recs:
            rs = groups.get(inp.name)
            if not rs:
                continue
            rs = sorted(rs, key=lambda r: (list(MARKERS).index(r["codec"]) if r["codec"] in MARKERS else 99,
                                           r["bits_per_sample"]))
            parts.append(f"## {cm.file_heading(meta)}\n\n{cm.markdown_table(rs, timing=False)}\n")
            parts.append("```\n" + text_plot(rs) + "\n\n" + series(rs) + "\n```\n")
            parts.append("\n".join(checks(rs, rates)) + "\n")
    parts.append("## Commands\n\n" + commands_md(rows) + "\n")
    parts.append("## Versions\n\n" + versions_md() + "\n")
    md = "\n".join(parts)
    with open(os.path.join(a.out, f"{stem}.md"), "w") as f:
        f.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
