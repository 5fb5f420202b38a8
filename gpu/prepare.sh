#!/usr/bin/env bash
# Prepares what the GPU machine needs to run gpu/check.sh (it has CUDA and a driver, but no Java,
# no Maven and no network): run HERE, in the repository root (or anywhere: it finds the root).
#   .gpu-carry/lib/  the engine jar, its test jar (GpuCheck and CudaParity are test code), the
#                    serving core's jars and its ResidentParity (test code: the operators'
#                    device-resident steps), their runtime dependencies (JCuda with only the driver
#                    library left in its natives jar), plus slf4j-simple for log output
#   .gpu-carry/jre/  a jlink'd Java 17 runtime (module list below)
# Then pass carry [".gpu-carry"] to the device run. .gpu-carry/ must be git-ignored (prepare adds it
# to .git/info/exclude), because the device run copies ignored paths only when carried.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
JDK="${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}"
carry="$root/.gpu-carry"
# Modules: GpuCheck needs only java.base, java.logging (JCuda's loader logs through it),
# jdk.unsupported and the Vector API that CpuBackend's kernels use: ~33 MB with libjvm stripped.
# GPU_CARRY_MODULES=full takes PLATFORM.md's list for the GPU machine (Kafka clients and Flink ran on
# it) plus the Vector API instead: ~52 MB, too close to a device run's 64 MiB transfer limit.
MIN_MODULES="java.base,java.logging,jdk.unsupported,jdk.incubator.vector"
FULL_MODULES="java.base,java.compiler,java.desktop,java.logging,java.management,java.management.rmi,java.naming,\
java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.net,\
jdk.sctp,jdk.unsupported,jdk.incubator.vector"
case "${GPU_CARRY_MODULES:-min}" in
  min) MODULES="$MIN_MODULES" ;;
  full) MODULES="$FULL_MODULES" ;;
  *) MODULES="$GPU_CARRY_MODULES" ;;
esac

echo "[prepare] building the engine, the serving core and their test jars"
# -DskipTests still compiles the tests, so the test jar is built (-Dmaven.test.skip would not)
rm -rf "$carry"
mkdir -p "$carry/lib"
# one reactor run: the module jars, then each module's runtime dependencies (siblings from the reactor)
mvn -q -o -pl serving -am package dependency:copy-dependencies -DskipTests -DincludeScope=runtime \
  -DoutputDirectory="$carry/lib"
jar_file="$(ls engine/target/streamnet-engine-*.jar | grep -v -E -- '-(sources|javadoc|tests)\.jar$' | head -1)"
tests_jar="$(ls engine/target/streamnet-engine-*-tests.jar | head -1)"
serving_jar="$(ls serving/target/streamnet-serving-*.jar | grep -v -E -- '-(sources|javadoc|tests)\.jar$' | head -1)"
cp "$jar_file" "$tests_jar" "$serving_jar" "$carry/lib/"
"$JDK/bin/jar" cf "$carry/lib/streamnet-serving-resident-parity.jar" -C serving/target/test-classes io/streamnet/serving/resident
mvn -q -o dependency:copy -Dartifact=org.slf4j:slf4j-simple:2.0.17 -DoutputDirectory="$carry/lib" -N

# JCuda's natives jar also holds the runtime, NVRTC and PTX-compiler JNI libraries (~25 MB); the
# driver API needs only libJCudaDriver (which links against libcuda.so.1 and nothing from the toolkit).
natives="$(ls "$carry"/lib/jcuda-natives-*-linux-x86_64.jar)"
work="$(mktemp -d)"
(cd "$work" && "$JDK/bin/jar" xf "$natives" && find lib -name '*.so' ! -name 'libJCudaDriver-*' -delete \
  && rm -f "$natives" && "$JDK/bin/jar" cfM "$natives" .)
rm -rf "$work"

echo "[prepare] jlink runtime: $MODULES"
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$carry/jre" 2>&1 | grep -v 'Using incubator modules' || true
test -x "$carry/jre/bin/java"
# libjvm.so ships with its symbol table (23 MB): dropping it saves ~3 MB and changes nothing at run time
if command -v strip >/dev/null; then
  strip --strip-unneeded "$carry/jre/lib/server/libjvm.so" || true
fi

exclude="$(git rev-parse --git-common-dir)/info/exclude"
mkdir -p "$(dirname "$exclude")"
grep -qxF '/.gpu-carry/' "$exclude" 2>/dev/null || echo '/.gpu-carry/' >> "$exclude"

echo "[prepare] contents:"
ls -la "$carry/lib"
du -sh "$carry/lib"
du -sh "$carry/jre"
du -sh "$carry"
total_kb="$(du -sk "$carry" | cut -f1)"
if [ "$total_kb" -gt $((45 * 1024)) ]; then
  echo "[prepare] WARNING: .gpu-carry is $((total_kb / 1024)) MB, over the ~45 MB budget of a device run" >&2
fi
echo "[prepare] smoke test of the carried runtime:"
"$carry/jre/bin/java" --add-modules jdk.incubator.vector -cp "$carry/lib/*" -version 2>&1 | head -1
echo "[prepare] done: run the device command with carry [\".gpu-carry\"] and 'bash gpu/check.sh'"
