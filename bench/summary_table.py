#!/usr/bin/env python3
"""Compact summary of bench/work/rd_table.csv for BENCHMARKS.md: per recording and tqa rate,
tqa's SNR, WavPack's SNR interpolated at tqa's rate, the margin, and aptX / aptX HD at 4 / 6.

    python3 bench/summary_table.py [bench/work/rd_table.csv]
"""
import math
import sys

from codec_matrix import by_file, read_csv
from common import fmt, interpolate


def main(path):
    print("| recording | tqa bits/sample | tqa SNR dB | WavPack SNR at that rate | margin dB | aptX (4) / aptX HD (6) SNR dB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, rs in by_file(read_csv(path)).items():
        wav = sorted((r["bits_per_sample"], r["snr_db"]) for r in rs
                     if r["codec"] == "wavpack" and math.isfinite(r["snr_db"]))
        peers = {r["codec"]: r["snr_db"] for r in rs if r["codec"] in ("aptx", "aptx_hd") and not math.isnan(r["snr_db"])}
        for r in rs:
            if r["codec"] != "tqa" or math.isnan(r["snr_db"]):
                continue
            b, s = r["bits_per_sample"], r["snr_db"]
            w = interpolate(wav, b)
            if math.isnan(w):
                wtxt = (f"below WavPack's lowest rate {wav[0][0]:.2f} ({fmt(wav[0][1], 1)} dB)"
                        if wav and b < wav[0][0] else "above WavPack's range")
                mtxt = "–"
            else:
                wtxt, mtxt = fmt(w, 1), fmt(s - w, 1, signed=True)
            setting = r["setting"].split()[-1]
            peer = {"4": fmt(peers.get("aptx"), 1), "6": fmt(peers.get("aptx_hd"), 1)}.get(setting, "")
            print(f"| {name} | {b:.3f} | {fmt(s, 1)} | {wtxt} | {mtxt} | {'' if peer == '–' else peer} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/work/rd_table.csv")
