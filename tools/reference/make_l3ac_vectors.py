#!/usr/bin/env python3
"""Make L3AC parity vectors with the pinned Python reference.

Pinned reference: l3ac==1.0, local-attention==1.11.2, torch (CPU); see requirements-l3ac.txt
and README.md ("L3AC reference vectors"). Differences from SQCodec: docs/L3AC.md.

For each configuration this writes a directory holding
  config.json             the `network_config` fields plus name, sample rate and model version
  <module>.pt | .safetensors  the five state dicts in the published layout (encoder, quantizer,
                          decoder, en_encoder, en_decoder: `EnCodec.trainable_modules`)
  vectors.safetensors     input audio, intermediate features, reference tokens and audio;
                          its __metadata__ records the seed and the library versions

Weights are seeded random values with every parameter perturbed (no layer is an identity);
they are not trained weights and say nothing about codec quality.

Usage:
  python make_l3ac_vectors.py --small OUT_DIR                   # the committed test fixtures
  python make_l3ac_vectors.py OUT_DIR --full 0k75bps 1kbps 1k5bps 3kbps   # full-size (not committed)
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file

from l3ac import CONFIG_DIR, L3ACConfig
from l3ac.en_codec import EnCodec, ModelConfig
from reference_inputs import FULL_SCALE, PARAGRAPH, SENTENCE, build, calibrate, save_weights, small_network, speech, versions

GENERATOR = "tools/reference/make_l3ac_vectors.py"
DISTRIBUTIONS = ("l3ac", "local-attention", "numpy")

# Shrunken configurations covering every layer type of the published models: both en_coder
# variants (LocalEncoder/LocalDecoder; CompressedLocal…WithCache at rates 3 and 2, with encoder
# depths 1 + 2 and decoder depths 1 + 2 and 2 + 2), super-FSQ with odd and even levels, the legacy
# last layer, and transformer inputs that are not a multiple of their window (autopad).
SMALL = {
    "l3ac_small_local": dict(
        sample_rate=16000, seconds=0.11875, save="pt",
        network=small_network(feature_dim=16, compress_rates=[2, 3], encoder_depths=[1, 1, 1], decoder_depths=[1, 1, 1],
                              vq_config=dict(name="super_fsq", levels=[5, 4, 3], noise_rate=0.5),
                              en_coder_depth=2, en_coder_window_size=8, en_coder_compress_rate=1)),
    "l3ac_small_compressed": dict(
        sample_rate=16000, seconds=0.15, save="safetensors",
        network=small_network(feature_dim=16, compress_rates=[3, 2], encoder_depths=[1, 1, 1], decoder_depths=[1, 1, 1],
                              vq_config=dict(name="super_fsq", levels=[7, 6, 9], noise_rate=0.5),
                              en_coder_depth=3, en_coder_window_size=6, en_coder_compress_rate=3)),
    "l3ac_small_compressed2": dict(
        sample_rate=16000, seconds=0.14, save="safetensors",
        network=small_network(feature_dim=16, compress_rates=[2, 3], encoder_depths=[1, 1, 1], decoder_depths=[1, 1, 1],
                              vq_config=dict(name="super_fsq", levels=[3, 8, 7, 5], noise_rate=0.5),
                              en_coder_depth=4, en_coder_window_size=5, en_coder_compress_rate=2)),
}


@torch.no_grad()
def run(net, audio):
    """The reference's encode (`L3AC.encode_audio`) and decode of its own indices
    (`L3AC.decode_audio(indices=…)`), keeping the intermediates."""
    x, _ = net.preprocess(audio[None])
    feature = net.encoder(x.unsqueeze(1))
    trans = net.en_encoder(feature)
    fsq_input = net.quantizer.project_in(trans)
    _, indices, _ = net.quantizer(trans)
    tokens = indices["indices"]
    codes = net.quantizer.vq.indices_to_codes(tokens)
    q = net.quantizer.to_features(tokens)
    q_feature = net.en_decoder(q)
    decoded = net.decoder(q_feature).squeeze(1)
    return {
        "input": audio.contiguous(),
        "encoder_feature": feature[0].contiguous(),
        "trans_feature": trans[0].contiguous(),
        "fsq_input": fsq_input[0].contiguous(),
        "tokens": tokens[0].to(torch.int32).contiguous(),
        "codes": codes[0].contiguous(),
        "en_decoder_feature": q_feature[0].contiguous(),
        "decoded": decoded[0].contiguous(),
    }


@torch.no_grad()
def fsq_probe(net, gen, count=256):
    """Seeded normal values (std 1.5) straight into the super-FSQ, with its tokens and codes: every
    level of every dimension, which a random network's few distinct tokens do not reach."""
    vq = net.quantizer.vq
    z = 1.5 * torch.randn(count, vq.codebook_dim, generator=gen)
    q, out = vq(z)
    return {"fsq_probe_input": z.contiguous(), "fsq_probe_tokens": out["indices"].to(torch.int32).contiguous(),
            "fsq_probe_codes": q.contiguous()}


def make(name, spec, out_root, seed, keep_intermediates=True, scale=1.0, whiten=True):
    out_dir = os.path.join(out_root, name)
    os.makedirs(out_dir, exist_ok=True)
    audio = speech(spec["sample_rate"], spec["seconds"], spec.get("text", SENTENCE))
    net = build(EnCodec, ModelConfig, spec["network"], seed, scale)
    calibrate(net, audio, whiten)
    save_weights(net, out_dir, spec.get("save", "pt"))
    vec = run(net, audio)
    if keep_intermediates:
        vec |= fsq_probe(net, torch.Generator().manual_seed(seed + 2))
    else:
        vec = {k: vec[k] for k in ("input", "tokens", "decoded")}
    meta = versions(GENERATOR, DISTRIBUTIONS) | {"name": name, "seed": str(seed), "sample_rate": str(spec["sample_rate"]),
                         "weights": "seeded random, every parameter perturbed (not trained)",
                         "perturbation_scale": str(scale),
                         "calibration": "whitened" if whiten else "per-dimension",
                         "seconds": f"{len(audio) / spec['sample_rate']:.3f}"}
    tokens = vec["tokens"]
    print(f"{name}: {len(audio)} samples -> {tokens.numel()} tokens, "
          f"{len(torch.unique(tokens))} distinct; decoded rms {float(vec['decoded'].pow(2).mean().sqrt()):.4f}",
          flush=True)
    save_file(vec, os.path.join(out_dir, "vectors.safetensors"), metadata=meta)
    cfg = dict(spec["network"]) | {"name": name, "sample_rate": spec["sample_rate"],
                                   "model_version": spec.get("model_version", "small")}
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


def full_spec(model, seconds=25.0):
    cfg = L3ACConfig(config_file=CONFIG_DIR / f"{model}.toml")
    nc = cfg.network_config.model_dump()
    nc.pop("hop_length", None)
    return {"sample_rate": cfg.sample_rate, "seconds": seconds, "text": PARAGRAPH, "save": "pt", "network": nc,
            "model_version": cfg.model_version}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--full", nargs="*", default=[])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--seconds", type=float, default=25.0, help="--full: input length (the paragraph is ~25 s)")
    ap.add_argument("--scale", type=float, default=None,
                    help=f"perturbation scale (default 1 for --small, {FULL_SCALE} for --full)")
    ap.add_argument("--whiten", action=argparse.BooleanOptionalAction, default=None,
                    help="whiten the quantizer input (default: yes for --small, no for --full)")
    ap.add_argument("out")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.small:
        for i, (name, spec) in enumerate(SMALL.items()):
            make(name, spec, a.out, a.seed + 100 * i, scale=1.0 if a.scale is None else a.scale,
                 whiten=True if a.whiten is None else a.whiten)
    for model in a.full:
        make(model, full_spec(model, a.seconds), a.out, a.seed, keep_intermediates=False,
             scale=FULL_SCALE if a.scale is None else a.scale, whiten=False if a.whiten is None else a.whiten)


if __name__ == "__main__":
    main()
