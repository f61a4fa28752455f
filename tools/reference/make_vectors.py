#!/usr/bin/env python3
"""Make SQCodec parity vectors with the pinned Python reference.

Pinned reference: sq-codec==0.0.1, vector-quantize-pytorch==1.20.11,
local-attention 1.11.x, torch (CPU). See tools/reference/README.md.

For each configuration this writes a directory holding
  config.json             the network configuration (Swift `SQCodecConfiguration` fields)
  <module>.pt | .safetensors  the five state dicts, in the published checkpoint layout
  vectors.safetensors     input audio, reference tokens and audio, a few intermediates;
                          its __metadata__ records the generator and library versions

Weights are seeded random values with every parameter perturbed (no layer is an
identity); they are not trained weights and say nothing about codec quality.

Usage:
  python make_vectors.py --small OUT_DIR          # the committed test fixtures
  python make_vectors.py OUT_DIR --full 6kbps 0k75bps --gap   # full-size, 25 s, tamer weights (not committed)
  python make_vectors.py OUT_DIR --full 6kbps 0k75bps --seconds 60   # 60 s: several packets (issue 16)
"""
import argparse
import copy
import json
import os

import torch
from safetensors.torch import save_file

from reference_inputs import FULL_SCALE, PARAGRAPH, SENTENCE, build, calibrate, save_weights, small_network, speech, versions
from sq_codec import CONFIG_DIR, SQCodecConfig
from sq_codec.en_codec import EnCodec, ModelConfig

GENERATOR = "tools/reference/make_vectors.py"
DISTRIBUTIONS = ("sq-codec", "vector-quantize-pytorch", "local-attention", "numpy")

# Shrunken configurations: every layer type, both en_coder variants, odd and even FSQ levels.
SMALL = {
    "small_local": dict(
        sample_rate=16000, seconds=0.4, save="safetensors",
        network=small_network(feature_dim=24, compress_rates=[2, 3], encoder_depths=[1, 1, 2], decoder_depths=[2, 1, 1],
                              vq_config=dict(name="taae_fsq", codebook_dim=[5, 4, 3], codebook_num=1),
                              en_coder_depth=2, en_coder_window_size=8, en_coder_compress_rate=1)),
    "small_compressed": dict(
        sample_rate=16000, seconds=0.4, save="pt",
        network=small_network(feature_dim=24, compress_rates=[3, 2], encoder_depths=[1, 1, 1], decoder_depths=[1, 1, 1],
                              vq_config=dict(name="taae_fsq", codebook_dim=[7, 6, 5], codebook_num=1),
                              en_coder_depth=3, en_coder_window_size=6, en_coder_compress_rate=3)),
    "small_compressed_cache": dict(
        sample_rate=16000, seconds=0.4, save="pt",
        network=small_network(feature_dim=24, compress_rates=[2, 3], encoder_depths=[1, 1, 1], decoder_depths=[1, 1, 1],
                              vq_config=dict(name="taae_fsq", codebook_dim=[3, 3, 8], codebook_num=1),
                              en_coder_depth=3, en_coder_window_size=5, en_coder_compress_rate=2, en_coder_cache_size=2)),
}


@torch.no_grad()
def run(net, audio):
    x, length = net.preprocess(audio[None])
    feature = net.encoder(x.unsqueeze(1))
    trans = net.en_encoder(feature)
    _, indices, _ = net.quantizer(trans)
    q = net.quantizer.to_features(indices)
    q_feature = net.en_decoder(q)
    decoded = net.decoder(q_feature).squeeze(1)
    return {
        "input": audio.contiguous(),
        "padded_input": x[0].contiguous(),
        "encoder_feature": feature[0].contiguous(),
        "trans_feature": trans[0].contiguous(),
        "tokens": indices[0].to(torch.int32).contiguous(),
        "en_decoder_feature": q_feature[0].contiguous(),
        "decoded": decoded[0].contiguous(),
    }


def float64_copy(net):
    """The same network in float64 (DynamicPositionBias feeds float32 distances to its MLP: cast them)."""
    n64 = copy.deepcopy(net).double()
    for m in n64.modules():
        if isinstance(m, torch.nn.Linear) and m.in_features == 1:
            m.register_forward_pre_hook(lambda mod, args: (args[0].to(mod.weight.dtype),))
    return n64


@torch.no_grad()
def float64_gap(net, audio, vec):
    """How far torch's own float32 result is from float64, in the three parity measures: tokens
    identical, max |decode64(tokens) - decode32(tokens)|, SNR of decode32(tokens64) against
    decode32(tokens). Also the largest FSQ-input difference (bounded, in quantization steps)."""
    n64 = float64_copy(net)
    def bounded(n, a):
        x, _ = n.preprocess(a[None])
        return n.quantizer.vq.bound(n.quantizer.project_in(n.en_encoder(n.encoder(x.unsqueeze(1)))))
    def decode(n, tokens):
        q = n.quantizer
        f = q.project_out(q.vq.indices_to_codes(tokens).to(q.project_out.weight.dtype))
        return n.decoder(n.en_decoder(f)).squeeze(1)[0]
    b32, b64 = bounded(net, audio), bounded(n64, audio.double())
    _, tokens64, _ = n64.quantizer(n64.en_encoder(n64.encoder(net.preprocess(audio.double()[None])[0].unsqueeze(1))))
    tokens = vec["tokens"].long()[None]
    same = int((tokens64 == tokens).sum())
    dec_err = float((decode(n64, tokens).float() - vec["decoded"]).abs().max())
    ref = vec["decoded"].double()
    noise = (decode(net, tokens64.long()).double() - ref).pow(2).sum()
    snr = float("inf") if noise == 0 else float(10 * torch.log10(ref.pow(2).sum() / noise))
    gap = {"f64_tokens_identical": f"{same}/{tokens.numel()}", "f64_decode_max_abs": f"{dec_err:.2e}",
           "f64_encode_decode_snr_db": f"{snr:.1f}", "f64_fsq_input_max_abs": f"{float((b32 - b64).abs().max()):.2e}"}
    print("  torch float32 vs float64: " + ", ".join(f"{k} {v}" for k, v in gap.items()))
    return gap


def make(name, spec, out_root, seed, keep_intermediates=True, scale=1.0, whiten=True, gap=False):
    out_dir = os.path.join(out_root, name)
    os.makedirs(out_dir, exist_ok=True)
    audio = speech(spec["sample_rate"], spec["seconds"], spec.get("text", SENTENCE))
    net = build(EnCodec, ModelConfig, spec["network"], seed, scale)
    calibrate(net, audio, whiten)
    save_weights(net, out_dir, spec["save"])
    vec = run(net, audio)
    if not keep_intermediates:
        vec = {k: vec[k] for k in ("input", "tokens", "decoded")}
    meta = versions(GENERATOR, DISTRIBUTIONS) | {"name": name, "seed": str(seed), "sample_rate": str(spec["sample_rate"]),
                         "weights": "seeded random, every parameter perturbed (not trained)"}
    if scale != 1.0 or not whiten:
        meta |= {"perturbation_scale": str(scale), "calibration": "whitened" if whiten else "per-dimension",
                 "seconds": f"{len(audio) / spec['sample_rate']:.2f}"}
    tokens = vec["tokens"]
    print(f"{name}: {len(audio)} samples -> {tokens.numel()} tokens, "
          f"{len(torch.unique(tokens))} distinct; decoded rms {float(vec['decoded'].pow(2).mean().sqrt()):.4f}", flush=True)
    if gap:
        meta |= float64_gap(net, audio, vec)
    save_file(vec, os.path.join(out_dir, "vectors.safetensors"), metadata=meta)
    cfg = dict(spec["network"]) | {"name": name, "sample_rate": spec["sample_rate"]}
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)



def full_spec(model, seconds=25.0):
    cfg = SQCodecConfig(config_file=CONFIG_DIR / f"{model}.toml")
    rate = 24000 if model.endswith("24khz") else cfg.sample_rate
    nc = cfg.network_config.model_dump()
    nc.pop("hop_length", None)
    # The paragraph is ~25 s of speech: repeated for longer inputs (`--seconds 60`, issue 16).
    text = " ".join([PARAGRAPH] * max(1, math.ceil(seconds / 24)))
    return {"sample_rate": rate, "seconds": seconds, "text": text, "save": "pt", "network": nc}


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
    ap.add_argument("--gap", action="store_true", help="also measure torch float32 against float64")
    ap.add_argument("out")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.small:
        for i, (name, spec) in enumerate(SMALL.items()):
            make(name, spec, a.out, a.seed + 100 * i, scale=1.0 if a.scale is None else a.scale,
                 whiten=True if a.whiten is None else a.whiten, gap=a.gap)
    for model in a.full:
        make(model, full_spec(model, a.seconds), a.out, a.seed, keep_intermediates=False,
             scale=FULL_SCALE if a.scale is None else a.scale, whiten=False if a.whiten is None else a.whiten,
             gap=a.gap)


if __name__ == "__main__":
    main()
