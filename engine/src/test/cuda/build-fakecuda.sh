#!/usr/bin/env bash
# Builds fakecuda.cpp (the driver API subset, kernels run on the CPU) as DIR/libcuda.so.1: put DIR on
# LD_LIBRARY_PATH and JCuda talks to it as to a GPU. Used by run-fake-gpu-check.sh and by the
# serving module's resident-step parity test.
# Usage: build-fakecuda.sh DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build-fakecuda.sh DIR}"
mkdir -p "$out"
"${CXX:-g++}" -std=c++20 -O2 -shared -fPIC -pthread -Wall -Wno-unknown-pragmas -Wno-unused-function \
  -o "$out/libcuda.so.1" "$here/fakecuda.cpp"
