#!/usr/bin/env bash
# The one-shot GPU check. Runs ON the GPU machine, in the repository root of a copy of the working
# tree that carries .gpu-carry/ (made here by gpu/prepare.sh: a jlink'd Java runtime and the jars;
# the GPU machine has no Java, no Maven and no network). Prints the nvidia-smi summary, then
# GpuCheck: device and driver, parity of every kernel against CpuBackend, gemm and recurrent-step
# timings; then ResidentParity: the operators' device-resident steps (RNN/LSTM/GRU at B 1..4096,
# H=512; LeNet-5 and ResNet-mini forward at batch 1..1024) against the CPU, with their copies per
# step and timings; then, where python3 has torch with CUDA, PyTorch eager on the same card
# (gpu/torch_gpu_peer.py). Output is tee'd to $OUT/gpu-check.txt when $OUT is set.
# Exit status: GpuCheck's (0 all parity cases pass, 1 a failure, 2 CUDA unavailable), else
# ResidentParity's (same codes), 3 when the carried runtime is missing, 124 on timeout. Extra
# arguments go to GpuCheck (--parity-only, --no-cpu-timing, --max-gemm N); RESIDENT_ARGS replaces
# ResidentParity's (a dry run on fakecuda: engine/src/test/cuda/build-fakecuda.sh DIR, then
# LD_LIBRARY_PATH=DIR RESIDENT_ARGS="--batches 1,7 --frames 1" bash gpu/check.sh --parity-only).
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
timeout "${GPU_CHECK_TIMEOUT:-300}" "$java" --add-modules jdk.incubator.vector -Xss4m \
  -Djava.io.tmpdir="$work/tmp" -cp "$carry/lib/*" io.streamnet.engine.cuda.GpuCheck "$@" 2>&1 \
  | grep -v 'WARNING: Using incubator modules'
rc=${PIPESTATUS[0]}
[ "$rc" = 2 ] && { echo "gpu/check.sh: exit $rc"; return "$rc"; }

echo
echo "== the operators' steps, device-resident (ResidentParity) =="
timeout "${RESIDENT_TIMEOUT:-200}" "$java" --add-modules jdk.incubator.vector -Xss4m \
  -Djava.io.tmpdir="$work/tmp" -cp "$carry/lib/*" io.streamnet.serving.resident.ResidentParity \
  ${RESIDENT_ARGS:---timing --hidden 512 --layers 1 --batches 1,16,256,1024,4096 --frames 1,32,256,1024} 2>&1 \
  | grep -v 'WARNING: Using incubator modules'
rc2=${PIPESTATUS[0]}
[ "$rc" = 0 ] && rc=$rc2

echo
echo "== PyTorch on the same card =="
if command -v python3 >/dev/null && python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  timeout "${TORCH_TIMEOUT:-120}" python3 gpu/torch_gpu_peer.py || echo "torch_gpu_peer.py: exit $?"
else
  echo "python3 has no torch with CUDA on this machine: no PyTorch figures"
fi
echo "gpu/check.sh: exit $rc"
return "$rc"
}

if [ -n "$out" ]; then
  mkdir -p "$out"
  main "$@" 2>&1 | tee "$out/gpu-check.txt"
  exit "${PIPESTATUS[0]}"
fi
main "$@"
