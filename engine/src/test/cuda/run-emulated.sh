#!/usr/bin/env bash
# Builds emulate.cpp (the CUDA kernels compiled as C++ against a CPU shim) and runs its checks:
# a GPU-free check of the kernels' index math, tiling, bounds and reductions.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-${TMPDIR:-/tmp}/streamnet-cuda-emulate}"
CXX="${CXX:-g++}"
"$CXX" -std=c++20 -O2 -pthread -Wall -Wno-unknown-pragmas -Wno-unused-function -o "$out" "$here/emulate.cpp"
"$out"
