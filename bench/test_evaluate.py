#!/usr/bin/env python3
"""Checks of bench/evaluate.py on signals with known answers.

    python3 bench/test_evaluate.py      (or: python3 -m pytest bench/test_evaluate.py)
"""
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402

RATE = 16000


def noisy_pair(snr_db: float, delay: int, channels: int = 2, seed: int = 7):
    rng = np.random.default_rng(seed)
    ref = 0.3 * rng.standard_normal((RATE * 3, channels))
    noise = rng.standard_normal(ref.shape)
    noise *= math.sqrt(np.sum(ref ** 2) / np.sum(noise ** 2) / 10 ** (snr_db / 10))
    test = np.concatenate([np.zeros((delay, channels)), ref + noise])[:len(ref)]
    return evaluate.Audio(ref, RATE, "f64"), evaluate.Audio(test, RATE, "f64")


def test_delay_and_snr_recovered():
    ref, test = noisy_pair(25.0, 90)
    m = evaluate.compare(ref, test)
    assert m["delay_samples"] == 90, m["delay_samples"]
    assert abs(m["snr_db"] - 25.0) < 0.05, m["snr_db"]
    assert m["frames_lost"] == 90
    assert abs(m["gain"] - 1 / (1 + 10 ** -2.5)) < 0.01, m["gain"]


def test_no_align_sees_the_delay_as_error():
    ref, test = noisy_pair(25.0, 90)
    assert evaluate.compare(ref, test, align=False)["snr_db"] < 1.0


def test_identical_is_infinite_and_zero_lsd():
    ref, _ = noisy_pair(20.0, 0)
    m = evaluate.compare(ref, ref)
    assert m["snr_db"] == math.inf and m["lsd_db"] == 0.0 and m["segmental_snr_db"] == 100.0


def test_downmix_reference():
    ref, _ = noisy_pair(20.0, 0)
    mono = evaluate.Audio(ref.samples.mean(axis=1, keepdims=True), RATE, "f64")
    assert evaluate.compare(ref, mono, downmix_reference=True)["snr_db"] == math.inf


def test_s16_roundtrip_through_file():
    ref, _ = noisy_pair(20.0, 0, channels=1)
    ref = evaluate.Audio(ref.samples * 0.2, RATE, "f64")  # std 0.06: no clipping
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "x.wav")
        evaluate.write_wav_s16(path, ref.samples, RATE)
        back = evaluate.read_wav(path)
    assert back.format == "s16" and back.frames == ref.frames and back.sample_rate == RATE
    # 16-bit rounding noise is 2^-15 / sqrt(12) rms: SNR = 20 log10(0.06 / 8.8e-6), about 76.7 dB
    assert abs(evaluate.compare(ref, back)["snr_db"] - 76.7) < 0.5


def test_segmental_snr_skips_silence():
    ref, test = noisy_pair(30.0, 0, channels=1)
    silence = np.zeros((RATE, 1))
    r = evaluate.Audio(np.concatenate([ref.samples, silence]), RATE, "f64")
    t = evaluate.Audio(np.concatenate([test.samples, silence + 1e-6]), RATE, "f64")
    seg = evaluate.compare(r, t, align=False)["segmental_snr_db"]
    assert abs(seg - 30.0) < 0.5, seg


if __name__ == "__main__":
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    failed = 0
    for name, f in tests:
        try:
            f()
        except AssertionError as e:
            failed += 1
            print(f"FAIL {name}: {e}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
