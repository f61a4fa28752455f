#!/usr/bin/env bash
# The measurement behind SQCodec's build flag (README, "Build flags"): the packed GEMM micro-kernel
# compiled for baseline x86-64 and for Haswell (AVX2 + FMA), run one after the other.
#   bash bench/gemm_flags.sh
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$BENCH/work/gemm_flags"
mkdir -p "$work"
swiftc -O "$BENCH/gemm_flags.swift" -o "$work/baseline"
swiftc -O -target-cpu haswell -D FUSED "$BENCH/gemm_flags.swift" -o "$work/haswell"
"$work/baseline"
"$work/haswell"
