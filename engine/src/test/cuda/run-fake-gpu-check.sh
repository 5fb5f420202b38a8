#!/usr/bin/env bash
# End-to-end dry run of the CUDA backend without a GPU: builds fakecuda.cpp as a libcuda.so.1
# (driver API subset, kernels emulated on the CPU) and runs GpuCheck on it through JCuda with small
# sizes. Checks the Java side (argument marshalling, launch configurations, offsets, device-resident
# API, GpuCheck's flow) and the kernels' results against CpuBackend; says nothing about a real GPU.
# Usage: run-fake-gpu-check.sh [classpath]   (default: .gpu-carry/lib/* when present, as gpu/check.sh
# runs it, else the engine's target/classes and target/test-classes (GpuCheck is test code) + runtime
# jars). Extra GpuCheck options through FAKE_GPU_CHECK_ARGS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/fakecuda.XXXXXX")"
trap 'rm -rf "$work"' EXIT
bash "$here/build-fakecuda.sh" "$work"
cp="${1:-}"
if [ -z "$cp" ]; then
  if [ -d "$root/.gpu-carry/lib" ]; then
    cp="$root/.gpu-carry/lib/*"
  elif [ -d "$root/engine/target/test-classes" ]; then
    (cd "$root" && mvn -q -o -pl engine dependency:build-classpath -DincludeScope=runtime \
      -Dmdep.outputFile="$work/runtime.cp")
    cp="$root/engine/target/classes:$root/engine/target/test-classes:$(cat "$work/runtime.cp")"
  else
    echo "pass a class path, or run gpu/prepare.sh (or mvn -pl engine test-compile) first" >&2
    exit 2
  fi
fi
java="${JAVA:-java}"
[ -x "$root/.gpu-carry/jre/bin/java" ] && [ -z "${JAVA:-}" ] && java="$root/.gpu-carry/jre/bin/java"
mkdir -p "$work/tmp"
LD_LIBRARY_PATH="$work${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$java" --add-modules jdk.incubator.vector \
  -Djava.io.tmpdir="$work/tmp" -cp "$cp" io.streamnet.engine.cuda.GpuCheck \
  ${FAKE_GPU_CHECK_ARGS:---max-gemm 256 --max-batch 64 --no-cpu-timing} 2>&1 | grep -v 'Using incubator modules'
exit "${PIPESTATUS[0]}"
