"""Run a list of codecs over the recordings of the manifest and tabulate the results.

Shared by peers.py (every peer at its usual settings) and rd_table.py (the
rate-distortion run). One row per (recording, codec): bits per sample, SNR,
segmental SNR, log-spectral distance, the delay found by alignment, encode and
decode wall time and how many times faster than real time.
"""
from __future__ import annotations

import csv
import math
import os
import sys

import evaluate
from common import BENCH, SETUP, Stopwatch, fmt
from peer_codecs import Codec, Input, Result

MANIFEST = os.path.join(BENCH, "data", "recordings.tsv")

CSV_FIELDS = ["file", "sample_rate", "channels", "duration_s", "codec", "setting", "bits_per_sample",
              "compressed_bytes", "snr_db", "segmental_snr_db", "lsd_db", "delay_samples", "frames_lost",
              "encode_s", "decode_s", "encode_x_realtime", "decode_x_realtime", "note", "commands"]


def load_manifest(kinds: set[str] | None = None, names: set[str] | None = None) -> list[tuple[Input, dict]]:
    """The recordings fetch_recordings.sh made, filtered by kind and/or name."""
    if not os.path.exists(MANIFEST):
        sys.exit(f"error: {MANIFEST} is missing: run bash bench/fetch_recordings.sh first")
    out = []
    with open(MANIFEST, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if kinds and row["kind"] not in kinds:
                continue
            if names and row["name"] not in names:
                continue
            inp = Input(row["name"], os.path.join(BENCH, "data", row["path"]), int(row["sample_rate"]),
                        int(row["channels"]), int(row["frames"]))
            out.append((inp, row))
    return out


def measure(inp: Input, codec: Codec, workdir: str) -> dict:
    """Run one codec on one input and measure its decoded output against the input."""
    res: Result = codec.run(inp, workdir)
    ref, test = evaluate.read_wav(inp.path), evaluate.read_wav(res.decoded)
    m = evaluate.compare(ref, test, downmix_reference=res.downmix_reference)
    notes = [res.note] if res.note else []
    if res.downmix_reference and ref.channels > 1 and test.channels == 1:
        # what a listener gets: the mono output on every channel, against the original
        dup = evaluate.Audio(evaluate.np.repeat(test.samples, ref.channels, axis=1), test.sample_rate, test.format)
        notes.append(f"SNR against the {ref.channels}-channel original: "
                     f"{fmt(evaluate.compare(ref, dup)['snr_db'])} dB")
    notes += m["notes"]
    if abs(m["gain"] - 1.0) > 0.02:
        notes.append(f"level changed: least-squares gain {m['gain']:.3f}")
    row = {
        "file": inp.name, "sample_rate": inp.sample_rate, "channels": inp.channels,
        "duration_s": round(inp.duration, 3), "codec": res.codec, "setting": res.setting,
        "bits_per_sample": res.bits_per_sample, "compressed_bytes": res.compressed_bytes,
        "snr_db": m["snr_db"], "segmental_snr_db": m["segmental_snr_db"], "lsd_db": m["lsd_db"],
        "delay_samples": m["delay_samples"], "frames_lost": m["frames_lost"],
        "encode_s": res.encode_s, "decode_s": res.decode_s,
        "encode_x_realtime": inp.duration / res.encode_s if res.encode_s > 0 else math.nan,
        "decode_x_realtime": inp.duration / res.decode_s if res.decode_s > 0 else math.nan,
        "note": "; ".join(notes), "commands": " && ".join(res.commands),
    }
    # decoded WAVs are large; keep only the compressed files
    try:
        os.remove(res.decoded)
    except OSError:
        pass
    return row


def run_matrix(inputs: list[Input], codecs: list[Codec], workdir: str,
               log=sys.stderr) -> tuple[list[dict], list[str]]:
    """Rows of measurements, and one line per failed run. Exits (naming bench/setup.sh) when a
    codec's tool is missing: nothing is installed here, and no row is silently left out."""
    os.makedirs(workdir, exist_ok=True)
    missing = list(dict.fromkeys(why for why in (c.available() for c in codecs) if why))
    if missing:
        sys.exit("error: " + "; ".join(missing) + f"\n(tools: {SETUP}; tqa: swift build -c release --product tqa "
                 "or --build)")
    rows, problems = [], []
    for inp in inputs:
        for c in codecs:
            clock = Stopwatch()
            try:
                row = measure(inp, c, workdir)
            except (RuntimeError, OSError, ValueError, evaluate.WAVError) as e:
                print(f"FAIL {inp.name} {c.label}: {e}", file=log)
                lines = str(e).splitlines() or [""]
                msg = next((ln for ln in lines if " exited " in ln), lines[-1])  # the command's status line
                msg = "exited " + msg.split(" exited ", 1)[1] if " exited " in msg else msg
                problems.append(f"{c.label}: failed on {inp.name}, {msg[-300:]}")
                continue
            rows.append(row)
            print(f"{inp.name:22s} {c.label:26s} {row['bits_per_sample']:6.3f} b/s  "
                  f"SNR {fmt(row['snr_db'])} dB  ({clock.seconds:.1f} s)", file=log, flush=True)
    return rows, problems


def problems_md(problems: list[str]) -> str:
    """Bullet lines; one codec failing the same way on several files is one line."""
    grouped: dict[tuple[str, str], list[str]] = {}
    order = []
    for p in problems:
        if ": failed on " in p:
            label, rest = p.split(": failed on ", 1)
            name, msg = rest.split(", ", 1)
            key = (label, msg)
        else:
            key, name = (p, ""), ""
        if key not in grouped:
            grouped[key] = []
            order.append(key)
        if name:
            grouped[key].append(name)
    lines = []
    for key in order:
        names = grouped[key]
        lines.append(f"- {key[0]}: failed on {', '.join(names)}: {key[1]}" if names else f"- {key[0]}")
    return "\n".join(lines)


def _csv_cell(v):
    if isinstance(v, float):
        return "" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else f"{v:.4f}")
    return v


def write_csv(rows: list[dict], path: str) -> None:
    """Numbers with 4 decimals, inf as "inf", missing as an empty cell."""
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: _csv_cell(r[k]) for k in CSV_FIELDS})


NUMERIC = {"sample_rate", "channels", "duration_s", "bits_per_sample", "compressed_bytes", "snr_db",
           "segmental_snr_db", "lsd_db", "delay_samples", "frames_lost", "encode_s", "decode_s",
           "encode_x_realtime", "decode_x_realtime"}


def read_csv(path: str) -> list[dict]:
    """Rows written by write_csv, numbers back as int or float."""
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            for k in NUMERIC & row.keys():
                v = row[k]
                if v == "":
                    row[k] = math.nan
                elif k in ("sample_rate", "channels", "compressed_bytes", "delay_samples", "frames_lost"):
                    row[k] = int(v)
                else:
                    row[k] = float(v)
            out.append(row)
    return out


def markdown_table(rows: list[dict], timing: bool = True) -> str:
    head = ["codec", "setting", "bits/sample", "SNR dB", "seg. SNR dB", "LSD dB", "delay"]
    if timing:
        head += ["encode s", "enc ×RT", "decode s", "dec ×RT"]
    head += ["note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["codec"], f"`{r['setting']}`", fmt(r["bits_per_sample"], 3), fmt(r["snr_db"]),
                 fmt(r["segmental_snr_db"]), fmt(r["lsd_db"]), str(r["delay_samples"])]
        if timing:
            cells += [fmt(r["encode_s"], 3), fmt(r["encode_x_realtime"], 0),
                      fmt(r["decode_s"], 3), fmt(r["decode_x_realtime"], 0)]
        cells += [r["note"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def by_file(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["file"], []).append(r)
    return out


def file_heading(inp_row: dict) -> str:
    return (f"`{inp_row['name']}`: {inp_row['sample_rate']} Hz, {inp_row['channels']} ch, "
            f"{float(inp_row['duration_s']):.1f} s, {inp_row['kind']}, "
            f"from {inp_row['package']} {inp_row['version']} ({inp_row['cut']})")
