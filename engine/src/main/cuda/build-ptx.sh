#!/usr/bin/env bash
# Regenerates the committed PTX of every kernel file: engine/src/main/cuda/*.cu ->
# engine/src/generated/resources/io/streamnet/engine/cuda/*.ptx (or into the directory given as $1).
# PTX for compute_80 (Ampere and newer JIT it); nvcc 13 emits PTX ISA 9.0, which needs an R580+
# driver. The CudaPtxTest runs this script into a temp dir and compares, so the flags live here only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../../generated/resources/io/streamnet/engine/cuda}"
NVCC="${NVCC:-nvcc}"
mkdir -p "$out"
for cu in "$here"/*.cu; do
  name="$(basename "$cu" .cu)"
  # run from the source dir with a relative file name so no absolute path can leak into the PTX
  (cd "$here" && "$NVCC" -arch=compute_80 -ptx -O3 -std=c++17 -o "$out/$name.ptx" "$name.cu")
done
