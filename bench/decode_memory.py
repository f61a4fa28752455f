#!/usr/bin/env python3
"""Peak resident memory of `tqa decode` on files made to be as large as the format allows.

    python3 bench/decode_memory.py [--packets N]        (TQA_BIN=path for another binary)

Writes, into a temporary directory, turbo files whose every packet decodes to the most samples
a packet may hold (`Packet.maxDecodedSamples` = 2^21: 32 channels at 768 kHz, 8192-sample blocks,
8 blocks per packet, silent blocks, 1 056 payload bytes per packet), with 1 and N packets
(default 200), and decodes each to /dev/null on one and two threads, reporting the child's peak RSS. The
decoder holds a bounded number of packets at a time, so peak memory must not grow with N
(docs/ROBUSTNESS.md, "Decode memory"). Exit status 1 if the N-packet file needs more than
100 MB or more than 1.5x the one-packet file.

The files are written here from docs/FORMAT.md, not by tqa's own writer, as a hostile file would be.
"""
import argparse
import os
import resource
import struct
import subprocess
import sys
import tempfile
import zlib

import common

RATE, CHANNELS, LOG2_BLOCK, BLOCKS_PER_PACKET = 768_000, 32, 13, 8
FRAMES_PER_PACKET = BLOCKS_PER_PACKET << LOG2_BLOCK


def crc(b: bytes) -> bytes:
    return struct.pack("<I", zlib.crc32(b) & 0xFFFFFFFF)


def turbo_file(packets: int) -> bytes:
    frames = packets * FRAMES_PER_PACKET
    # version 1, bits 1, log2(block), flags 0 (no residual), blocks per packet
    params = struct.pack("<BBBBH", 1, 1, LOG2_BLOCK, 0, BLOCKS_PER_PACKET)
    head = b"TQA\x1a" + struct.pack("<HBBIHHQQ", 1, 1, 2, RATE, CHANNELS, len(params), frames, 1) + params
    out = bytearray(head + crc(head))
    # Each block and channel: variant bit 0, mu 0, sigma 0 (a silent block): 33 zero bits.
    payload = bytes((BLOCKS_PER_PACKET * CHANNELS * 33 + 7) // 8)
    for i in range(packets):
        p = b"TQAP" + struct.pack("<IIQI", len(payload), i, i * FRAMES_PER_PACKET, FRAMES_PER_PACKET) + payload
        out += p + crc(p)
    end = b"TQAE" + struct.pack("<IQ", packets, frames)
    out += end + crc(end)
    return bytes(out)


def peak_rss_mb(cmd: list) -> float:
    """Runs `cmd` in a fresh child process (so RUSAGE_CHILDREN is its own) and returns its peak RSS."""
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "0":
        sys.exit(f"error: {common.shown(cmd)} exited with {out[0]}")
    return int(out[1]) / 1024.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--packets", type=int, default=200, help="packets in the large file (default: %(default)s)")
    a = ap.parse_args()
    tqa = common.require_tqa()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for n in (1, a.packets):
            path = os.path.join(d, f"limit-{n}.tqa")
            with open(path, "wb") as f:
                f.write(turbo_file(n))
            for threads in (1, 2):
                mb = peak_rss_mb([tqa, "decode", path, "-o", "/dev/null", "--threads", str(threads), "--quiet"])
                rows.append((n, os.path.getsize(path), n * FRAMES_PER_PACKET, threads, mb))
    print("| packets | file bytes | frames (32 ch) | threads | peak RSS MB |")
    print("| --- | --- | --- | --- | --- |")
    for n, size, frames, threads, mb in rows:
        print(f"| {n} | {size} | {frames} | {threads} | {mb:.1f} |")
    one = max(r[4] for r in rows if r[0] == 1)
    many = max(r[4] for r in rows if r[0] == a.packets)
    ok = many <= 100 and many <= 1.5 * one
    print(f"{a.packets} packets: {many:.1f} MB against {one:.1f} MB for one: {'bounded' if ok else 'NOT BOUNDED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
