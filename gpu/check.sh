#!/usr/bin/env bash
# The one-shot GPU check. Runs ON the GPU machine, in the repository root of a copy of the working
# tree that carries .gpu-carry/ (made here by gpu/prepare.sh: a jlink'd Java runtime and the jars;
# the GPU machine has no Java, no Maven and no network). Prints the nvidia-smi summary, then
# GpuCheck: device and driver, parity of every kernel against CpuBackend, gemm and recurrent-step
# timings. Output is tee'd to $OUT/gpu-check.txt when $OUT is set.
# Exit status: GpuCheck's (0 all parity cases pass, 1 a failure, 2 CUDA unavailable), 3 when the
# carried runtime is missing, 124 on timeout. Extra arguments go to GpuCheck
# (--parity-only, --no-cpu-timing, --max-gemm N).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
carry="$root/.gpu-carry"
java="$carry/jre/bin/java"
out="${OUT:-}"

main() {
echo "== nvidia-smi =="
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm,power.limit --format=csv \
    || nvidia-smi -L || true
  [ -n "$out" ] && nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
else
  echo "nvidia-smi not found"
fi
echo "host: $(uname -srm), $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"

if [ ! -x "$java" ]; then
  echo "missing $java: run gpu/prepare.sh before the device run and carry .gpu-carry" >&2
  return 3
fi
# JCuda extracts its JNI library to java.io.tmpdir; the driver's PTX JIT cache goes to a fresh dir
# so every run JIT-compiles (and times) the PTX the same way.
work="$(mktemp -d "${TMPDIR:-/tmp}/streamnet-gpu.XXXXXX")"
trap 'rm -rf "$work"' RETURN
export CUDA_CACHE_PATH="$work/cuda-cache"
mkdir -p "$CUDA_CACHE_PATH" "$work/tmp"

echo
timeout "${GPU_CHECK_TIMEOUT:-480}" "$java" --add-modules jdk.incubator.vector -Xss4m \
  -Djava.io.tmpdir="$work/tmp" -cp "$carry/lib/*" io.streamnet.engine.cuda.GpuCheck "$@" 2>&1 \
  | grep -v 'WARNING: Using incubator modules'
rc=${PIPESTATUS[0]}
echo "gpu/check.sh: exit $rc"
return "$rc"
}

if [ -n "$out" ]; then
  mkdir -p "$out"
  main "$@" 2>&1 | tee "$out/gpu-check.txt"
  exit "${PIPESTATUS[0]}"
fi
main "$@"
