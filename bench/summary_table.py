#!/usr/bin/env python3
"""Compact summary of bench/work/rd_table.csv for BENCHMARKS.md: per recording and tqa rate,
tqa's SNR, WavPack's SNR interpolated at tqa's rate, the margin, and aptX / aptX HD at 4 / 6.

    python3 bench/summary_table.py [bench/work/rd_table.csv]
"""
import csv
import sys
from collections import defaultdict


def main(path):
    rows = list(csv.DictReader(open(path)))
    by_file = defaultdict(list)
    for r in rows:
        by_file[r["file"]].append(r)
    print("| recording | tqa bits/sample | tqa SNR dB | WavPack SNR at that rate | margin dB | aptX (4) / aptX HD (6) SNR dB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, rs in by_file.items():
        wav = sorted((float(r["bits_per_sample"]), float(r["snr_db"])) for r in rs if r["codec"] == "wavpack" and r["snr_db"])
        peers = {r["codec"]: float(r["snr_db"]) for r in rs if r["codec"] in ("aptx", "aptx_hd") and r["snr_db"]}
        for r in rs:
            if r["codec"] != "tqa" or not r["snr_db"]:
                continue
            b, s = float(r["bits_per_sample"]), float(r["snr_db"])
            w = interpolate(wav, b)
            if w is None:
                wtxt, mtxt = ("below WavPack's lowest rate %.2f (%.1f dB)" % wav[0] if wav and b < wav[0][0] else "above WavPack's range"), "–"
            else:
                wtxt, mtxt = "%.1f" % w, "%+.1f" % (s - w)
            setting = r["setting"].split()[-1]
            peer = ""
            if setting == "4" and "aptx" in peers:
                peer = "%.1f" % peers["aptx"]
            if setting == "6" and "aptx_hd" in peers:
                peer = "%.1f" % peers["aptx_hd"]
            print("| %s | %.3f | %.1f | %s | %s | %s |" % (name, b, s, wtxt, mtxt, peer))


def interpolate(points, x):
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return None


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/work/rd_table.csv")
