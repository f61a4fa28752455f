#!/usr/bin/env python3
"""Checks of the pure parts of bench/perceptual.py: the rate search, the delay alignment, the
choice of recordings, the tables and the BENCHMARKS.md section, on known answers.

    python3 bench/test_perceptual.py      (numpy only, no network, no codec; exits 1 on a failure)
    python3 -m pytest bench/test_perceptual.py
"""
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import perceptual as pc  # noqa: E402

SEED = 20261203


def counting(f):
    """f, and the list of knobs it was called with."""
    calls = []

    def g(k):
        calls.append(k)
        return f(k)
    return g, calls


def test_linear_rate_lands_at_once():
    g, calls = counting(lambda k: k)
    m = pc.match_rate(g, 96.0, 96.0, 24.0, 384.0)
    assert m.landed and m.knob == 96.0 and calls == [96.0], (m, calls)


def test_offset_rate_lands_within_aim():
    # an encoder that overshoots by 20 % and has 3 kbit/s of overhead (like a VBR peer)
    g, calls = counting(lambda k: 1.2 * k + 3.0)
    m = pc.match_rate(g, 64.0, 64.0, 16.0, 256.0)
    assert m.landed, m
    assert abs(m.rate / 64.0 - 1) <= pc.RATE_AIM, m
    assert len(calls) <= 5, calls


def test_power_law_bits_per_sample():
    # tqa's knob is bits per sample: the rate grows like a power of it, plus headers
    f = lambda bps: 48.0 * 2 * bps ** 1.1 + 0.8  # noqa: E731
    m = pc.match_rate(f, 96.0, 1.0, 0.01, 16.0, quantum=0.0001)
    assert m.landed and abs(m.rate / 96.0 - 1) <= pc.RATE_AIM, m
    assert abs(round(m.knob / 0.0001) * 0.0001 - m.knob) < 1e-12, m.knob


def test_step_function_reports_not_landed():
    # a rate that jumps over the 2 % window (what ffmpeg's native AAC does at 24 kbit/s on speech)
    f = lambda k: 23.1 if k < 19.8 else 24.6  # noqa: E731
    m = pc.match_rate(f, 24.0, 24.0, 6.0, 96.0, quantum=0.001)
    assert not m.landed, m
    assert m.rate in (23.1, 24.6), m
    assert abs(math.log(m.rate / 24.0)) == min(abs(math.log(r / 24.0)) for _, r in m.tries), m
    assert len(m.tries) <= 12, len(m.tries)


def test_unreachable_floor_stops_at_the_bound():
    # a codec whose smallest file is 40 kbit/s cannot reach 16: not landed, closest try kept
    f = lambda k: max(40.0, k)  # noqa: E731
    m = pc.match_rate(f, 16.0, 16.0, 4.0, 64.0, quantum=0.001)
    assert not m.landed and m.rate == 40.0, m
    assert min(k for k, _ in m.tries) == 4.0, m.tries


def test_noisy_monotone_rate_lands():
    rng = np.random.default_rng(SEED)
    jitter = {}

    def f(k):  # a deterministic +-1 % wobble on a smooth curve, per knob
        jitter.setdefault(round(k, 3), 1 + 0.01 * (rng.random() * 2 - 1))
        return 0.9 * k * jitter[round(k, 3)]
    for target in (16.0, 24.0, 32.0, 64.0, 96.0, 128.0):
        m = pc.match_rate(f, target, target, target / 4, target * 4, quantum=0.001)
        assert m.landed, (f"seed {SEED}", target, m)


def delayed_pair(delay: int, frames: int = 8000, channels: int = 2):
    rng = np.random.default_rng(SEED)
    ref = rng.standard_normal((frames, channels))
    if delay >= 0:
        test = np.concatenate([np.zeros((delay, channels)), ref])
    else:
        test = ref[-delay:]
    return ref, test + 0.01 * rng.standard_normal(test.shape)


def test_align_finds_a_codec_delay_and_equalises_lengths():
    for delay in (0, 312, 1105, -64):
        ref, test = delayed_pair(delay)
        r, t, d = pc.align(ref, test, 1600)
        assert d == delay, (f"seed {SEED}", delay, d)
        assert r.shape == t.shape, (r.shape, t.shape)
        assert len(r) == len(ref) - max(0, -delay), (len(r), delay)
        assert np.max(np.abs(r - t)) < 0.1, (delay, float(np.max(np.abs(r - t))))


def test_align_with_a_longer_decoded_tail():
    # decoders pad the end (Opus, AAC frames): the padding is cut, nothing else
    ref, test = delayed_pair(0)
    test = np.concatenate([test, np.zeros((960, 2))])
    r, t, d = pc.align(ref, test, 1600)
    assert d == 0 and len(r) == len(t) == len(ref), (d, len(r), len(t))


def manifest_row(name, kind, rate, ch, package, source, sha="0" * 16):
    return {"name": name, "kind": kind, "sample_rate": str(rate), "channels": str(ch), "package": package,
            "source": source, "path": f"wav/{name}.wav", "sha256": sha}


def test_select_recordings_one_per_source():
    rows = [
        manifest_row("music_44k_stereo", "music", 44100, 2, "p", "a"),
        manifest_row("music_48k_stereo", "music", 48000, 2, "p", "b"),
        manifest_row("music_16k_stereo", "music", 16000, 2, "p", "c"),
        manifest_row("speech_16k_mono", "speech", 16000, 1, "k", "en"),
        manifest_row("speech_44k_mono", "speech", 44100, 1, "k", "en"),
        manifest_row("speech_48k_mono", "speech", 48000, 1, "f", "x"),
        manifest_row("speech_tts_16k_mono", "speech-tts", 16000, 1, "e", "t"),
    ]
    music = [r["name"] for r in pc.select_recordings(rows, pc.KINDS["music"])]
    speech = [r["name"] for r in pc.select_recordings(rows, pc.KINDS["speech"])]
    assert music == ["music_44k_stereo", "music_48k_stereo"], music
    assert speech == ["speech_16k_mono", "speech_48k_mono"], speech


def result_row(codec, target, kbps, score, landed=True, recording="r1", error=""):
    return {"kind": "music", "recording": recording, "codec": codec, "target_kbps": target, "kbps": kbps,
            "deviation_pct": (kbps / target - 1) * 100, "landed": landed, "visqol": score, "snr_db": 20.0,
            "error": error}


def test_table_means_marks_off_rate_and_failures():
    rows = [result_row("tqa mse", 64, 64.2, 3.5), result_row("tqa mse", 64, 63.9, 3.7, recording="r2"),
            result_row("Opus", 64, 66.0, 4.6, landed=False),
            result_row("AAC", 64, 0.0, None, landed=False, error="ffmpeg exited 1: boom")]
    text = "\n".join(pc.kind_tables(pc.KINDS["music"], rows))
    assert "| 64 | 3.60 | 4.60† (1 of 2) | failed |" in text, text
    assert "Opus at 64 kbit/s on r1: could not land within 2 %, closest 66.00 kbit/s (+3.1 %)" in text, text
    assert "AAC at 64 kbit/s on r1: failed: ffmpeg exited 1: boom" in text, text


def test_target_checks_judge_each_tuning():
    def row(kind, codec, t, metric, v, rec="r1"):
        return {"kind": kind, "recording": rec, "codec": codec, "target_kbps": t, metric: v, "error": ""}
    rows = [row("music", "tqa mse", 96, "visqol", 4.50), row("music", "AAC", 96, "visqol", 4.40),
            row("music", "Opus", 96, "visqol", 4.65),
            row("music", "tqa perceptual", 96, "visqol", 4.56), row("speech", "tqa mse", 32, "pesq_wb", 4.00),
            row("speech", "Opus", 32, "pesq_wb", 4.00), row("speech", "AAC", 32, "pesq_wb", 4.10)]
    text = "\n".join(pc.target_checks(rows))
    assert "| tqa mse | music 96 kbit/s | ViSQOL MOS-LQO ≥ AAC | 4.50 vs 4.40 (+0.10) | met |" in text, text
    assert "| tqa mse | music 96 kbit/s | ViSQOL MOS-LQO ≥ Opus − 0.1 | 4.50 vs 4.65 (-0.15) | missed |" in text, text
    assert "| tqa perceptual | music 96 kbit/s | ViSQOL MOS-LQO ≥ Opus − 0.1 | 4.56 vs 4.65 (-0.09) | met |" in text, text
    assert "| tqa mse | speech 32 kbit/s | PESQ-WB MOS-LQO ≥ Opus | 4.00 vs 4.00 (+0.00) | met |" in text, text
    assert "| tqa mse | speech 32 kbit/s | PESQ-WB MOS-LQO ≥ AAC | 4.00 vs 4.10 (-0.10) | missed |" in text, text
    assert "64 kbit/s" not in text, text  # no cell the run did not measure


def test_cached_encode_reports_todays_path():
    """An encode cached from another checkout (bench/data shared by a link) is found where it is
    now, not at the path stored with it."""
    with tempfile.TemporaryDirectory() as d:
        old_data = pc.DATA
        pc.DATA = d
        try:
            clip = os.path.join(d, "clip.wav")
            with open(clip, "wb") as f:
                f.write(b"RIFF-not-really")
            rec = pc.Recording("clip", "speech", clip, "test: clip", 16000, 16000, 1)
            coder = pc.Coder("tqa", tune="perceptual", tool="/nonexistent/tqa", tool_id="x", by_bitrate=True)
            key = pc.text_hash(pc.file_hash(clip), *coder.encode_cmd("IN", "OUT", 24.0)[1:], coder.tool_id)
            stem = os.path.join(d, "enc", f"clip.speech.tqa_perceptual.{key}")
            os.makedirs(os.path.dirname(stem))
            with open(stem + ".tqa", "wb") as f:
                f.write(b"x" * 3000)
            pc.write_json(stem + ".json", {"path": "/gone/checkout/" + os.path.basename(stem) + ".tqa", "bytes": 3000,
                                           "file_bytes": 3000, "kbps": 24.0, "command": "tqa encode /gone/..."})
            meta = pc.encode(coder, rec, 24.0)
            assert meta["path"] == stem + ".tqa", meta
            assert "/gone/" not in meta["command"], meta
            assert meta["kbps"] == 24.0
        finally:
            pc.DATA = old_data


def test_write_benchmarks_replaces_its_own_section_only():
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "BENCHMARKS.md")
        with open(p, "w") as f:
            f.write("# Benchmarks\n\n## A\n\nkeep a\n\n## B\n\nkeep b\n")
        pc.write_benchmarks("first\n", "P", p)
        pc.write_benchmarks("second\n", "P", p)
        pc.write_benchmarks("new a\n", "A", p)
        text = open(p).read()
    assert text == "# Benchmarks\n\n## A\n\nnew a\n\n## B\n\nkeep b\n\n## P\n\nsecond\n", repr(text)


if __name__ == "__main__":
    sys.exit(common.run_tests(globals()))
