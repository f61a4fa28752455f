#!/usr/bin/env python3
"""Checks of bench/evaluate.py and bench/common.py on signals and values with known answers.

    python3 bench/test_evaluate.py      (numpy only; exits 1 on a failure)
    python3 -m pytest bench/test_evaluate.py
"""
import math
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
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


def test_lsd_of_a_gain_error_is_the_gain_in_db():
    # every bin of the test is the reference's times g^2, so each frame's distance is
    # |20 log10 g| but for the bins under the floor (30 dB below the frame's mean), few in noise
    ref, _ = noisy_pair(20.0, 0)
    for db in (1.0, -3.0, 6.0):
        lsd = evaluate.lsd_db(ref.samples, ref.samples * 10 ** (db / 20))
        assert abs(lsd - abs(db)) < 0.03 * abs(db), (db, lsd)


def test_lsd_empty_top_octave_cannot_dominate():
    # reference: noise with nothing above fs/4; test: the same plus white coding noise 50 dB down,
    # which fills the empty octave. A floor at a fixed -100 dB would make the empty bins' ratio
    # (about 15 dB) the whole distance; the floor relative to the frame's level keeps it small.
    rng = np.random.default_rng(11)
    n = RATE * 2
    spec = np.fft.rfft(rng.standard_normal(n))
    spec[len(spec) // 2:] = 0
    ref = (0.5 * np.fft.irfft(spec, n))[:, None]
    noise = rng.standard_normal(ref.shape) * math.sqrt(np.mean(ref ** 2)) * 10 ** (-50 / 20)
    lsd = evaluate.lsd_db(ref, ref + noise)
    assert 0 < lsd < 0.2, lsd
    # the same pair under an absolute -100 dB floor only: the empty octave dominates
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(2048) / 2048)
    pr = np.abs(np.fft.rfft(ref[:2048, 0] * win)) ** 2
    pt = np.abs(np.fft.rfft((ref + noise)[:2048, 0] * win)) ** 2
    floor = 512.0 ** 2 * 1e-10
    assert math.sqrt(np.mean((10 * np.log10((pr + floor) / (pt + floor))) ** 2)) > 10


def test_lsd_skips_silence_and_short_input():
    assert math.isnan(evaluate.lsd_db(np.zeros((RATE, 1)), np.ones((RATE, 1))))
    assert math.isnan(evaluate.lsd_db(np.ones((2047, 1)), np.ones((2047, 1))))
    ref, _ = noisy_pair(20.0, 0, channels=1)
    silence = np.zeros((RATE, 1))
    loud = evaluate.lsd_db(ref.samples, ref.samples * 2)
    padded = evaluate.lsd_db(np.concatenate([silence, ref.samples]), np.concatenate([silence + 0.5, ref.samples * 2]))
    assert abs(padded - loud) < 0.05, (padded, loud)  # the silent second's frames are left out


def test_fmt():
    assert common.fmt(1.23456) == "1.23" and common.fmt(1.23456, 3) == "1.235"
    assert common.fmt(2.0, 1, signed=True) == "+2.0" and common.fmt(-0.25, 1, signed=True) == "-0.2"
    assert common.fmt(math.inf) == "∞" and common.fmt(-math.inf) == "-∞"
    assert common.fmt(math.nan) == "–" and common.fmt(None) == "–"
    assert common.fmt(90) == "90" and common.fmt("x") == "x"


def test_interpolate():
    pts = [(4.0, 30.0), (2.0, 10.0), (3.0, math.nan), (6.0, 40.0)]
    assert common.interpolate(pts, 3.0) == 20.0      # unsorted input, the NaN point dropped
    assert common.interpolate(pts, 5.0) == 35.0
    assert common.interpolate(pts, 2.0) == 10.0 and common.interpolate(pts, 6.0) == 40.0
    assert math.isnan(common.interpolate(pts, 1.9)) and math.isnan(common.interpolate(pts, 6.1))
    assert common.interpolate([(2.0, 7.0)], 2.0) == 7.0
    assert math.isnan(common.interpolate([], 2.0))


def test_stopwatch():
    clock = common.Stopwatch()
    time.sleep(0.05)
    assert 0.04 < clock.seconds < 5.0, clock.seconds


def test_run_command_times_and_reports_failure():
    ran = common.run_command([sys.executable, "-c", "import time; time.sleep(0.05); print('out')"])
    assert ran.stdout.strip() == "out" and 0.04 < ran.seconds < 30.0, ran
    try:
        common.run_command([sys.executable, "-c", "import sys; sys.stderr.write('bad input'); sys.exit(3)"])
    except RuntimeError as e:
        assert " exited 3: bad input" in str(e), str(e)
    else:
        raise AssertionError("no RuntimeError for exit status 3")


def test_tqa_bin_default_and_override():
    old = os.environ.pop("TQA_BIN", None)
    try:
        assert common.tqa_bin() == os.path.join(common.ROOT, ".build", "release", "tqa")
        os.environ["TQA_BIN"] = ".build-x/release/tqa"
        assert common.tqa_bin() == os.path.join(common.ROOT, ".build-x/release/tqa")
        os.environ["TQA_BIN"] = "/opt/tqa"
        assert common.tqa_bin() == "/opt/tqa"
    finally:
        os.environ.pop("TQA_BIN", None)
        if old is not None:
            os.environ["TQA_BIN"] = old


if __name__ == "__main__":
    sys.exit(common.run_tests(globals()))
