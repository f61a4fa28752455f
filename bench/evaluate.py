#!/usr/bin/env python3
"""Measure how far a decoded WAV is from its reference: the one measuring tool of bench/.

    python3 bench/evaluate.py REF.wav TEST.wav [--json] [--downmix-reference]
                              [--max-lag-ms 100] [--no-align]

Both files are read as float64 in [-1, 1) (PCM u8/s16/s24/s32, IEEE float 32/64,
WAVE_FORMAT_EXTENSIBLE; a data size of 0 or 0xFFFFFFFF reads to end of file).

Alignment. Some codecs delay the signal (aptX: 90 samples, FLAC and WavPack: none)
or pad it. The delay d is the lag that maximises the cross-correlation of the two
signals' channel sums, searched over |d| <= max-lag (FFT, whole file). The test is
then compared with the reference over their overlap: ref[n] against test[n + d].
`delay_samples` > 0 means the test lags the reference.

Metrics, all over the aligned overlap, all channels together unless per channel:
  snr_db            10 log10( sum ref^2 / sum (ref - test)^2 )           (inf if equal)
  segmental_snr_db  mean over 20 ms frames of the frame SNR, each clamped to
                    [-10, 100] dB; frames whose reference power is below -70 dBFS
                    (silence) are skipped. Not capped at the usual 35 dB so that
                    codecs above 35 dB stay apart.
  lsd_db            log-spectral distance, the definition of `tqa compare`
                    (Sources/TQAudio/Metrics.swift, FidelityMetrics.lsdDB; Gray & Markel,
                    "Distance measures for speech processing", IEEE Trans. ASSP 24(5),
                    1976, the RMS form): frames of N = 2048 samples, hop 1024, from the
                    first sample, periodic Hann window w[i] = 0.5 - 0.5 cos(2 pi i / N);
                    X, Y = unscaled DFTs of the windowed reference and test, bins
                    k = 0..1024; per frame
                      sqrt( mean_k (10 log10((|X_k|^2 + eps) / (|Y_k|^2 + eps)))^2 )
                    with eps = max(mean_k |X_k|^2 * 10^(-30/10), (N/4)^2 * 10^(-100/10)):
                    a floor 30 dB under the frame's mean reference power, at least
                    -100 dB re a full-scale sine's peak bin, so that an empty band
                    (a band-limited source) adds little for small coding noise
                    instead of dominating. Frames whose reference mean square is below
                    -70 dBFS are left out; the mean over the other frames of all
                    channels (per channel: of that channel). 0 for identical signals,
                    nan when no frame qualifies.
  gain              least-squares gain g minimising |ref - g test|^2, a diagnostic
                    only (SNR is never gain-corrected): far from 1 means a level
                    change in the codec or the pipeline (e.g. ffmpeg's -3 dB upmix).
  channels          per-channel snr_db / segmental_snr_db / lsd_db.

--downmix-reference averages the reference's channels before measuring, for a
codec (the seed audiotq 0.1.1) that only ever outputs the mono downmix.
"""
from __future__ import annotations

import argparse
import json
import math
import struct
import sys
from dataclasses import dataclass

import numpy as np

import common

SEGMENT_SECONDS = 0.020
SEGMENT_SNR_RANGE_DB = (-10.0, 100.0)
SILENCE_POWER_DBFS = -70.0
LSD_FRAME = 2048
LSD_HOP = 1024
LSD_FLOOR_DB = -30.0            # below the frame's mean reference power
LSD_ABSOLUTE_FLOOR_DB = -100.0  # re a full-scale sine's peak bin, (N/4)^2


class WAVError(Exception):
    pass


@dataclass
class Audio:
    samples: np.ndarray  # shape (frames, channels), float64
    sample_rate: int
    format: str          # e.g. "s16", "f32"

    @property
    def frames(self) -> int:
        return self.samples.shape[0]

    @property
    def channels(self) -> int:
        return self.samples.shape[1]


def read_wav(path: str) -> Audio:
    """Read a RIFF/WAVE file into float64 samples of shape (frames, channels)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 12 or blob[0:4] not in (b"RIFF", b"RF64") or blob[8:12] != b"WAVE":
        raise WAVError(f"{path}: not a RIFF/WAVE file")
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(blob):
        cid = blob[pos:pos + 4]
        (size,) = struct.unpack("<I", blob[pos + 4:pos + 8])
        body = pos + 8
        if cid == b"fmt ":
            if size < 16:
                raise WAVError(f"{path}: fmt chunk of {size} bytes")
            tag, ch, rate, _, align, bits = struct.unpack("<HHIIHH", blob[body:body + 16])
            if tag == 0xFFFE and size >= 40:
                (tag,) = struct.unpack("<H", blob[body + 24:body + 26])  # SubFormat GUID head
            fmt = (tag, ch, rate, align, bits)
        elif cid == b"data":
            end = len(blob) if size in (0, 0xFFFFFFFF) else min(len(blob), body + size)
            data = blob[body:end]
            if fmt is not None and (size in (0, 0xFFFFFFFF) or body + size >= len(blob)):
                break
        pos = body + size + (size & 1)
    if fmt is None or data is None:
        raise WAVError(f"{path}: missing fmt or data chunk")
    tag, ch, rate, align, bits = fmt
    if ch < 1 or align < 1:
        raise WAVError(f"{path}: {ch} channels, block align {align}")
    width = align // ch
    usable = len(data) - len(data) % align
    raw = np.frombuffer(data[:usable], dtype=np.uint8)
    if tag == 1:
        if width == 1:
            x, name = (raw.astype(np.float64) - 128.0) / 128.0, "u8"
        elif width == 2:
            x, name = raw.view("<i2").astype(np.float64) / 32768.0, "s16"
        elif width == 3:
            t = raw.reshape(-1, 3).astype(np.int32)
            v = (t[:, 0] | (t[:, 1] << 8) | (t[:, 2] << 16))
            v = np.where(v >= 1 << 23, v - (1 << 24), v)
            x, name = v.astype(np.float64) / 8388608.0, "s24"
        elif width == 4:
            x, name = raw.view("<i4").astype(np.float64) / 2147483648.0, "s32"
        else:
            raise WAVError(f"{path}: PCM with {width}-byte samples")
    elif tag == 3:
        if width == 4:
            x, name = raw.view("<f4").astype(np.float64), "f32"
        elif width == 8:
            x, name = raw.view("<f8").astype(np.float64), "f64"
        else:
            raise WAVError(f"{path}: float with {width}-byte samples")
    else:
        raise WAVError(f"{path}: format tag 0x{tag:04x} is not PCM or float")
    return Audio(x.reshape(-1, ch), rate, name)


def write_wav_s16(path: str, samples: np.ndarray, sample_rate: int) -> None:
    """Write float samples (frames, channels) as 16-bit PCM, clipped."""
    s = np.asarray(samples, dtype=np.float64)
    if s.ndim == 1:
        s = s[:, None]
    pcm = np.clip(np.round(s * 32768.0), -32768, 32767).astype("<i2")
    ch = s.shape[1]
    body = pcm.tobytes()
    hdr = b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVE"
    hdr += b"fmt " + struct.pack("<IHHIIHH", 16, 1, ch, sample_rate, sample_rate * ch * 2, ch * 2, 16)
    hdr += b"data" + struct.pack("<I", len(body))
    with open(path, "wb") as f:
        f.write(hdr + body)


def estimate_delay(ref: np.ndarray, test: np.ndarray, max_lag: int) -> int:
    """Lag d (|d| <= max_lag) maximising sum_n r[n] t[n + d] of the channel sums."""
    r = ref.sum(axis=1)
    t = test.sum(axis=1)
    n = len(r) + len(t) - 1
    size = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(t, size) * np.conj(np.fft.rfft(r, size)), size)
    # xc[k] = sum_n t[n + k] r[n]; negative lags wrap to the end
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    vals = np.concatenate([xc[:max_lag + 1], xc[size - max_lag:]]) if max_lag > 0 else xc[:1]
    return int(lags[int(np.argmax(vals))])


def overlap(ref: np.ndarray, test: np.ndarray, delay: int) -> tuple[np.ndarray, np.ndarray]:
    """ref[n] and test[n + delay] over the frames both have."""
    if delay >= 0:
        t = test[delay:]
        r = ref
    else:
        r = ref[-delay:]
        t = test
    m = min(len(r), len(t))
    return r[:m], t[:m]


def snr_db(ref: np.ndarray, test: np.ndarray) -> float:
    sig = float(np.sum(ref * ref))
    err = float(np.sum((ref - test) ** 2))
    if err == 0.0:
        return math.inf
    if sig == 0.0:
        return -math.inf
    return 10.0 * math.log10(sig / err)


def segmental_snr_db(ref: np.ndarray, test: np.ndarray, sample_rate: int) -> float:
    """Mean clamped SNR over non-silent 20 ms frames (ref, test: (frames, channels))."""
    seg = max(1, int(round(SEGMENT_SECONDS * sample_rate)))
    nseg = len(ref) // seg
    if nseg == 0:
        return snr_db(ref, test)
    r = ref[:nseg * seg].reshape(nseg, seg, -1)
    e = (ref[:nseg * seg] - test[:nseg * seg]).reshape(nseg, seg, -1)
    sig = np.sum(r * r, axis=(1, 2))
    err = np.sum(e * e, axis=(1, 2))
    power = sig / (seg * r.shape[2])
    keep = power > 10.0 ** (SILENCE_POWER_DBFS / 10.0)
    if not np.any(keep):
        return math.nan
    lo, hi = SEGMENT_SNR_RANGE_DB
    with np.errstate(divide="ignore"):
        frame_snr = np.where(err[keep] > 0, 10.0 * np.log10(sig[keep] / np.maximum(err[keep], 1e-300)), hi)
    return float(np.mean(np.clip(frame_snr, lo, hi)))


def lsd_db(ref: np.ndarray, test: np.ndarray) -> float:
    """Log-spectral distance of `tqa compare` (module docstring), mean over the non-silent
    frames of every channel."""
    n = len(ref)
    if n < LSD_FRAME:
        return math.nan
    win = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(LSD_FRAME) / LSD_FRAME)  # periodic Hann
    idx = np.arange(0, n - LSD_FRAME + 1, LSD_HOP)[:, None] + np.arange(LSD_FRAME)[None, :]
    absolute = (LSD_FRAME / 4) ** 2 * 10.0 ** (LSD_ABSOLUTE_FLOOR_DB / 10.0)
    vals = []
    for c in range(ref.shape[1]):
        r, t = ref[idx, c], test[idx, c]
        keep = np.mean(r * r, axis=1) > 10.0 ** (SILENCE_POWER_DBFS / 10.0)
        if not np.any(keep):
            continue
        pr = np.abs(np.fft.rfft(r[keep] * win, axis=1)) ** 2
        pt = np.abs(np.fft.rfft(t[keep] * win, axis=1)) ** 2
        eps = np.maximum(np.mean(pr, axis=1, keepdims=True) * 10.0 ** (LSD_FLOOR_DB / 10.0), absolute)
        d = 10.0 * np.log10((pr + eps) / (pt + eps))
        vals.append(np.sqrt(np.mean(d * d, axis=1)))
    return float(np.mean(np.concatenate(vals))) if vals else math.nan


def compare(ref: Audio, test: Audio, *, align: bool = True, max_lag_ms: float = 100.0,
            downmix_reference: bool = False) -> dict:
    """All metrics of `test` against `ref`; see the module docstring."""
    r = ref.samples
    if downmix_reference and r.shape[1] > 1:
        r = r.mean(axis=1, keepdims=True)
    t = test.samples
    notes = []
    if ref.sample_rate != test.sample_rate:
        notes.append(f"sample rates differ: {ref.sample_rate} vs {test.sample_rate}")
    if t.shape[1] != r.shape[1]:
        if t.shape[1] > r.shape[1] and r.shape[1] == 1:
            notes.append(f"test has {t.shape[1]} channels, reference 1: compared channel 0")
            t = t[:, :1]
        else:
            raise ValueError(f"channel counts differ: reference {r.shape[1]}, test {t.shape[1]}")
    max_lag = int(round(max_lag_ms * 1e-3 * ref.sample_rate))
    delay = estimate_delay(r, t, min(max_lag, len(r) - 1, len(t) - 1)) if align else 0
    ra, ta = overlap(r, t, delay)
    per_channel = []
    for c in range(ra.shape[1]):
        rc, tc = ra[:, c:c + 1], ta[:, c:c + 1]
        per_channel.append({"snr_db": snr_db(rc, tc),
                            "segmental_snr_db": segmental_snr_db(rc, tc, ref.sample_rate),
                            "lsd_db": lsd_db(rc, tc)})
    return {
        "snr_db": snr_db(ra, ta),
        "segmental_snr_db": segmental_snr_db(ra, ta, ref.sample_rate),
        "lsd_db": lsd_db(ra, ta),
        "delay_samples": delay,
        "gain": float(np.sum(ra * ta) / np.sum(ta * ta)) if np.any(ta) else math.nan,
        "compared_frames": int(len(ra)),
        "reference_frames": int(ref.frames),
        "test_frames": int(test.frames),
        "frames_lost": int(ref.frames - len(ra)),
        "channels": per_channel,
        "sample_rate": ref.sample_rate,
        "downmixed_reference": bool(downmix_reference and ref.channels > 1),
        "notes": notes,
    }


def json_safe(o):
    """inf -> "inf", -inf -> "-inf", nan -> None, recursively (strict JSON)."""
    if isinstance(o, float):
        if math.isnan(o):
            return None
        if math.isinf(o):
            return "inf" if o > 0 else "-inf"
        return o
    if isinstance(o, dict):
        return {k: json_safe(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [json_safe(v) for v in o]
    return o


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reference")
    ap.add_argument("test")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-align", action="store_true", help="compare sample n with sample n")
    ap.add_argument("--max-lag-ms", type=float, default=100.0)
    ap.add_argument("--downmix-reference", action="store_true")
    a = ap.parse_args(argv)
    try:
        res = compare(read_wav(a.reference), read_wav(a.test), align=not a.no_align,
                      max_lag_ms=a.max_lag_ms, downmix_reference=a.downmix_reference)
    except (WAVError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if a.json:
        print(json.dumps(json_safe(res)))
    else:
        print(f"snr {common.fmt(res['snr_db'])} dB  segmental snr {common.fmt(res['segmental_snr_db'])} dB  "
              f"lsd {common.fmt(res['lsd_db'])} dB  delay {res['delay_samples']} samples  "
              f"gain {res['gain']:.4f}  "
              f"frames {res['compared_frames']}/{res['reference_frames']}")
        for i, c in enumerate(res["channels"]):
            print(f"  ch{i}: snr {common.fmt(c['snr_db'])} dB  segsnr {common.fmt(c['segmental_snr_db'])} dB  lsd {common.fmt(c['lsd_db'])} dB")
        for n in res["notes"]:
            print(f"  note: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
