"""The codecs bench/ measures: how each one encodes, decodes and counts its bits.

A `CodecRun` turns one reference WAV into a compressed file and a decoded WAV,
timing each stage as wall time of the external command(s). Every codec is called
through its ordinary command-line tool, exactly as the `command` strings say, so
the numbers can be reproduced by hand.

bits_per_sample = compressed bytes * 8 / (frames * coded channels)

- `coded channels` is the input's channel count except for aptX / aptX HD, which
  only code stereo: a mono input is duplicated to two channels, and the figure is
  per coded channel (aptX codes each channel on its own, so this is the rate one
  mono channel costs); the row says so in `note`.
- the seed audiotq 0.1.1 downmixes to mono and stores 512 bytes + 12 bytes of side
  information per 512-sample block (its `audio_cli.py`: one byte per sample, 3
  float32 per block); it writes no file, so its size is that formula, per INPUT
  channel, and its SNR is measured against the mono downmix.
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
from dataclasses import dataclass, field

from common import ROOT, TQA_BIN, VENV, run_command, shown


@dataclass
class Input:
    name: str
    path: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


@dataclass
class Result:
    codec: str             # family, e.g. "wavpack"
    setting: str           # e.g. "-b3 -s0"
    compressed_bytes: int
    bits_per_sample: float
    encode_s: float
    decode_s: float
    decoded: str           # path of the decoded WAV
    commands: list[str]
    downmix_reference: bool = False
    note: str = ""


def _rm(*paths: str) -> None:
    for p in paths:
        if os.path.exists(p):
            os.remove(p)


@dataclass
class Codec:
    """One codec at one setting."""
    family: str
    setting: str

    def available(self) -> str | None:
        """None when it can run, else why not."""
        return None

    def run(self, inp: Input, workdir: str) -> Result:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return f"{self.family} {self.setting}".strip()

    def stem(self, inp: Input, workdir: str) -> str:
        tag = "".join(c if c.isalnum() or c == "." else "_" for c in self.label.replace("--", ""))
        tag = "_".join(t for t in tag.split("_") if t)
        return os.path.join(workdir, f"{inp.name}.{tag}")


def _tool(name: str) -> str | None:
    return None if shutil.which(name) else f"{name} not installed"


@dataclass
class FLAC(Codec):
    family: str = "flac"
    setting: str = "-5"

    def available(self):
        return _tool("flac")

    def run(self, inp, workdir):
        s = self.stem(inp, workdir)
        enc = ["flac", "-s", "-f", self.setting, "-o", s + ".flac", inp.path]
        dec = ["flac", "-s", "-f", "-d", "-o", s + ".wav", s + ".flac"]
        _rm(s + ".flac", s + ".wav")
        te, td = run_command(enc).seconds, run_command(dec).seconds
        size = os.path.getsize(s + ".flac")
        return Result(self.family, self.setting, size, size * 8 / (inp.frames * inp.channels),
                      te, td, s + ".wav", [shown(enc), shown(dec)], note="lossless")


@dataclass
class WavPackHybrid(Codec):
    """WavPack hybrid lossy: -bN bits/sample, -s0 = no noise shaping (white noise)."""
    family: str = "wavpack"
    bits: float = 4.0
    setting: str = ""

    def __post_init__(self):
        self.setting = f"-b{self.bits:g} -s0"

    def available(self):
        return _tool("wavpack") or _tool("wvunpack")

    def run(self, inp, workdir):
        s = self.stem(inp, workdir)
        enc = ["wavpack", "-q", "-y", f"-b{self.bits:g}", "-s0", inp.path, "-o", s + ".wv"]
        dec = ["wvunpack", "-q", "-y", s + ".wv", "-o", s + ".wav"]
        _rm(s + ".wv", s + ".wvc", s + ".wav")
        te, td = run_command(enc).seconds, run_command(dec).seconds
        size = os.path.getsize(s + ".wv")
        return Result(self.family, self.setting, size, size * 8 / (inp.frames * inp.channels),
                      te, td, s + ".wav", [shown(enc), shown(dec)])


@dataclass
class FFmpegCodec(Codec):
    """An ffmpeg encoder into a raw or WAV container, decoded back to PCM WAV."""
    family: str = "aptx"
    setting: str = ""
    encoder: str = "aptx"
    muxer: str = "aptx"       # raw aptx / aptx_hd, or wav
    ext: str = "aptx"
    stereo_only: bool = False
    pcm_out: str = "pcm_s16le"

    def available(self):
        return _tool("ffmpeg")

    def run(self, inp, workdir):
        s = self.stem(inp, workdir)
        comp, out = f"{s}.{self.ext}", f"{s}.wav"
        upmix = self.stereo_only and inp.channels == 1
        enc = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", inp.path]
        if upmix:  # duplicate at full level; "-ac 2" would mix down by 3 dB
            enc += ["-af", "pan=stereo|c0=c0|c1=c0"]
        enc += ["-c:a", self.encoder, "-f", self.muxer, comp]
        dec = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
        if self.muxer in ("aptx", "aptx_hd"):  # raw streams carry no sample rate
            dec += ["-sample_rate", str(inp.sample_rate), "-f", self.muxer]
        dec += ["-i", comp, "-c:a", self.pcm_out, out]
        _rm(comp, out)
        te, td = run_command(enc).seconds, run_command(dec).seconds
        size = os.path.getsize(comp)
        coded = 2 if upmix else inp.channels
        note = "mono input coded as duplicated stereo; bits per coded channel" if upmix else ""
        return Result(self.family, self.setting or f"-c:a {self.encoder}", size,
                      size * 8 / (inp.frames * coded), te, td, out, [shown(enc), shown(dec)], note=note)


def aptx() -> FFmpegCodec:
    return FFmpegCodec(family="aptx", encoder="aptx", muxer="aptx", ext="aptx", stereo_only=True)


def aptx_hd() -> FFmpegCodec:
    return FFmpegCodec(family="aptx_hd", encoder="aptx_hd", muxer="aptx_hd", ext="aptxhd",
                       stereo_only=True, pcm_out="pcm_s24le")


def ima_adpcm() -> FFmpegCodec:
    return FFmpegCodec(family="ima_adpcm", encoder="adpcm_ima_wav", muxer="wav", ext="ima.wav")


@dataclass
class SeedAudiotq(Codec):
    """The seed, audiotq 0.1.1 from PyPI, through its CLI (encode+decode in one call)."""
    family: str = "seed audiotq"
    setting: str = "0.1.1 run"
    block: int = 512

    def cli(self) -> str:
        return os.path.join(VENV, "bin", "tqa-cli")

    def available(self):
        return None if os.access(self.cli(), os.X_OK) else f"{self.cli()} missing"

    def run(self, inp, workdir):
        s = self.stem(inp, workdir)
        cmd = [self.cli(), "run", "-i", inp.path, "-o", s + ".wav"]
        _rm(s + ".wav")
        t = run_command(cmd).seconds
        blocks = math.ceil(inp.frames / self.block)
        size = blocks * (self.block + 12)  # 1 byte per mono sample + 3 float32 per block
        note = "downmixes to mono; SNR vs the mono downmix; bits per input channel; time = encode+decode"
        return Result(self.family, self.setting, size, size * 8 / (inp.frames * inp.channels),
                      t, math.nan, s + ".wav", [shown(cmd)], downmix_reference=True, note=note)


@dataclass
class TQA(Codec):
    """This project's CLI: tqa encode / tqa decode."""
    family: str = "tqa"
    setting: str = ""
    codec: str = "spectral"
    options: list[str] = field(default_factory=list)

    def __post_init__(self):
        # the spectral mode is "tqa" in the tables; any other mode is "tqa <codec>"
        self.family = "tqa" if self.codec == "spectral" else f"tqa {self.codec}"
        self.setting = " ".join([f"--codec {self.codec}"] + self.options)

    def available(self):
        return None if os.access(TQA_BIN, os.X_OK) else f"{TQA_BIN} not built (swift build -c release --product tqa)"

    def run(self, inp, workdir):
        s = self.stem(inp, workdir)
        enc = [TQA_BIN, "encode", inp.path, "-o", s + ".tqa", "--codec", self.codec] + self.options
        dec = [TQA_BIN, "decode", s + ".tqa", "-o", s + ".wav"]
        _rm(s + ".tqa", s + ".wav")
        te, td = run_command(enc).seconds, run_command(dec).seconds
        size = os.path.getsize(s + ".tqa")
        return Result(self.family, self.setting, size, size * 8 / (inp.frames * inp.channels),
                      te, td, s + ".wav", [shown(enc), shown(dec)])


def tool_versions() -> dict[str, str]:
    """One line per peer tool, as its own --version (or package metadata) prints it."""
    def first_line(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            return (p.stdout or p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "not installed"
    v = {
        "flac": first_line(["flac", "--version"]),
        "wavpack": " / ".join(first_line(["wavpack", "--version"]).split("\n")[:1]),
        "wvunpack": first_line(["wvunpack", "--version"]),
        "ffmpeg": first_line(["ffmpeg", "-version"]),
        "sox": first_line(["sox", "--version"]),
        "audiotq": first_line([os.path.join(VENV, "bin", "python"), "-c",
                               "import importlib.metadata as m; print('audiotq', m.version('audiotq'))"]),
        "numpy": first_line([os.path.join(VENV, "bin", "python"), "-c",
                             "import numpy; print('numpy', numpy.__version__)"]),
    }
    if os.access(TQA_BIN, os.X_OK):
        git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        v["tqa"] = f"{TQA_BIN} (repository HEAD {git.stdout.strip() or '?'})"
    else:
        v["tqa"] = "not built"
    return v
