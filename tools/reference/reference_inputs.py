"""What the reference-vector scripts share (make_vectors.py for SQCodec, make_l3ac_vectors.py for
L3AC; both packages build an `EnCodec` with the same modules): the espeak-ng speech input, the
seeded network with every parameter perturbed, the quantizer calibration, the checkpoint writer and
the version record."""
import importlib.metadata as md
import os
import platform
import shutil
import subprocess
import tempfile
import wave

import numpy as np
import torch
from safetensors.torch import save_file

# Perturbation scale of the full-size vectors: see README.md ("Full-size checks").
FULL_SCALE = 0.1

SENTENCE = ("The quick brown fox jumps over the lazy dog, "
            "while seven small birds sing quietly in the morning light.")
# For the full-size vectors: about 25 s of speech.
PARAGRAPH = (SENTENCE + " A codec turns sound into a short list of numbers, and back again. "
             "Numbers, words and voices: twelve thousand tokens every minute, or fewer, if the model allows it. "
             "She sells sea shells by the sea shore, and the shells she sells are surely sea shells.")


def small_network(feature_dim, compress_rates, encoder_depths, decoder_depths, vq_config,
                  en_coder_depth, en_coder_window_size, en_coder_compress_rate, en_coder_cache_size=0):
    """A shrunken `network_config` for the small fixtures of both generators: encoder dims
    8/12/16 and decoder dims 16/12/8 around two rates (decode rates the reverse of the compress
    rates), the published models' layer choices (normal units, norms, Snake, legacy last layer,
    dynamic position bias), and the given quantizer and transformer stage."""
    return dict(feature_dim=feature_dim, compress_rates=compress_rates, encoder_dims=[8, 12, 16],
                encoder_depths=encoder_depths, decode_rates=compress_rates[::-1], decoder_dims=[16, 12, 8],
                decoder_depths=decoder_depths, base_unit="normal", use_norm=True, use_snake_act=True,
                decoder_last_layer="legacy", vq_config=vq_config,
                en_coder_depth=en_coder_depth, en_coder_window_size=en_coder_window_size, en_coder_dynamic_pos=True,
                en_coder_compress_rate=en_coder_compress_rate, en_coder_cache_size=en_coder_cache_size)


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


def versions(generator, distributions):
    """Python, torch and each of `distributions`' versions, and the generating script."""
    out = {"python": platform.python_version(), "torch": torch.__version__}
    for dist in distributions:
        out[dist] = md.version(dist)
    out["generator"] = generator
    return out


def build(encodec, model_config, network_cfg, seed, scale=1.0):
    """The package's `EnCodec(ModelConfig(**network_cfg))`, seeded, in eval mode, perturbed."""
    torch.manual_seed(seed)
    net = encodec(model_config(**network_cfg)).eval()
    perturb(net, torch.Generator().manual_seed(seed + 1), scale)
    return net


@torch.no_grad()
def calibrate(net, audio, whiten=True):
    """Standardize the quantizer's input projection so that tokens vary: zero mean and std 0.8 per
    code dimension, whitened (decorrelated) if `whiten`, else scaled per dimension only."""
    x, _ = net.preprocess(audio[None])
    t = net.en_encoder(net.encoder(x.unsqueeze(1)))
    lin = net.quantizer.project_in
    z = lin(t).reshape(-1, lin.out_features)
    mean = z.mean(0)
    if whiten:
        evals, evecs = torch.linalg.eigh(torch.cov(z.T.double()))
        a = (0.8 * evecs @ torch.diag(evals.clamp_min(1e-12).rsqrt()) @ evecs.T).float()
    else:
        a = torch.diag(0.8 / z.std(0))
    lin.weight.copy_(a @ lin.weight)
    lin.bias.copy_(a @ (lin.bias - mean))


def save_weights(net, out_dir, fmt="pt"):
    """`<module>.pt` as published, or `<module>.safetensors` (same keys; smaller fixtures)."""
    for module_name, module in net.trainable_modules.items():
        if fmt == "pt":
            torch.save(module.state_dict(), os.path.join(out_dir, f"{module_name}.pt"))
        else:
            sd = {k: v.detach().clone().contiguous() for k, v in module.state_dict().items()}
            save_file(sd, os.path.join(out_dir, f"{module_name}.safetensors"))
