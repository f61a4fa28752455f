#!/usr/bin/env python3
"""The polynomials of `Kernels.erf8` (Sources/SQCodec/Kernels/Kernels+Activation.swift).

    python3 tools/fit_erf.py        # needs numpy and scipy

erf(x) = x + x*P(x^2) for |x| <= 0.921875 and 1 - exp(Q(|x|)) above (to 4, where erf rounds to 1
in float32). P (degree 6) approximates erf(sqrt(s))/sqrt(s) - 1, Q (degree 9) ln erfc(t), each by
least squares reweighted towards minimax (Lawson), Q's error weighted by erfc(t)/ulp(erf(t)): the
error it causes in erf, in units in the last place. Prints the float32 coefficients (constant
term first) and the worst error of the float32 evaluation against double precision, in ulp.
"""
import numpy as np
from scipy.special import erf, erfc

SPLIT, TOP = 0.921875, 4.0


def ulp(x):
    return np.spacing(np.abs(x).astype(np.float32)).astype(np.float64)


def lawson(xs, target, degree, basis, weight, rounds=30):
    """Coefficients of sum c_i basis(x)^i, the weighted max error made small."""
    a = np.stack([basis(xs) ** i for i in range(degree + 1)], 1)
    w, best = np.ones_like(xs), None
    for _ in range(rounds):
        c, *_ = np.linalg.lstsq(a * (np.sqrt(w) * weight)[:, None], target * np.sqrt(w) * weight, rcond=None)
        e = np.abs((a @ c - target) * weight)
        if best is None or e.max() < best[1]:
            best = (c, e.max())
        w = w * e / e.max() + 1e-30
        w /= w.sum()
    return best[0]


def horner32(c, x):
    r = np.float32(c[-1])
    for a in c[-2::-1]:
        r = (r * x + np.float32(a)).astype(np.float32)
    return r


def main():
    xs = np.cos(np.linspace(0, np.pi, 20001)) * SPLIT / 2 + SPLIT / 2
    xs = xs[xs > 1e-4]
    p = lawson(xs, erf(xs) / xs - 1, 6, lambda x: x * x, np.ones_like(xs)).astype(np.float32)
    ts = np.cos(np.linspace(0, np.pi, 20001)) * (TOP - SPLIT) / 2 + (TOP + SPLIT) / 2
    q = lawson(ts, np.log(erfc(ts)), 9, lambda x: x, erfc(ts) / ulp(erf(ts))).astype(np.float32)
    x = np.linspace(-5, 5, 2000001).astype(np.float32)
    a = np.abs(x)
    small = (a * horner32(p, a * a) + a).astype(np.float32)
    large = (np.float32(1) - np.exp(horner32(q, np.clip(a, SPLIT, TOP)).astype(np.float64))).astype(np.float32)
    y = np.copysign(np.where(a >= TOP, np.float32(1), np.where(a <= SPLIT, small, large)), x)
    exact = erf(x.astype(np.float64))
    print("P =", ", ".join(f"{v:.8g}" for v in p))
    print("Q =", ", ".join(f"{v:.8g}" for v in q))
    print(f"worst error {np.max(np.abs(y - exact) / ulp(exact)):.3f} ulp")


if __name__ == "__main__":
    main()
