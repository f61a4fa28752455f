"""Inputs shared by the reference-vector scripts (make_vectors.py for SQCodec,
make_l3ac_vectors.py for L3AC): the espeak-ng speech input and the seeded weight perturbation."""
import os
import shutil
import subprocess
import tempfile
import wave

import numpy as np
import torch

SENTENCE = ("The quick brown fox jumps over the lazy dog, "
            "while seven small birds sing quietly in the morning light.")
# For the full-size vectors: about 25 s of speech.
PARAGRAPH = (SENTENCE + " A codec turns sound into a short list of numbers, and back again. "
             "Numbers, words and voices: twelve thousand tokens every minute, or fewer, if the model allows it. "
             "She sells sea shells by the sea shore, and the shells she sells are surely sea shells.")


def speech(sample_rate, seconds, text=SENTENCE):
    """A spoken sentence from espeak-ng, resampled (FFT) to `sample_rate`, trimmed to `seconds`."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SystemExit("espeak-ng is needed for the speech input: apt-get install espeak-ng")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.wav")
        subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", path, text], check=True)
        with wave.open(path) as w:
            rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    n_out = int(round(len(pcm) * sample_rate / rate))
    spec = np.fft.rfft(pcm)
    out_bins = n_out // 2 + 1
    spec = spec[:out_bins] if len(spec) >= out_bins else np.pad(spec, (0, out_bins - len(spec)))
    y = np.fft.irfft(spec, n_out) * (n_out / len(pcm))
    start = int(np.argmax(np.abs(y) > 0.02))  # skip leading silence
    y = y[start:start + int(seconds * sample_rate)]
    y = 0.5 * y / max(1e-9, np.abs(y).max())
    return torch.tensor(y, dtype=torch.float32)


def perturb(network, gen, scale=1.0):
    """Perturb every parameter so that no layer is an identity or a zero.

    `scale` multiplies every perturbation: Snake alpha is drawn from [1 - scale/2, 1 + scale/2],
    weight-norm magnitudes g are multiplied by 1 + 0.2 * scale * noise, every other parameter is
    shifted by scale * max(0.1, mean|p| / 2) * noise. scale 1 gives the committed small fixtures.
    """
    with torch.no_grad():
        for name, p in network.named_parameters():
            if p.numel() == 0:
                continue
            noise = torch.randn(p.shape, generator=gen)
            if name.endswith("alpha"):                      # Snake: keep alpha away from 0
                p.copy_((1.0 - scale / 2) + scale * torch.rand(p.shape, generator=gen))
            elif name.endswith("original0"):                # weight-norm magnitude g
                p.mul_(1.0 + (0.2 * scale) * noise)
            else:
                amplitude = scale * max(0.1, float(p.abs().mean()) * 0.5)
                p.add_(amplitude * noise)
