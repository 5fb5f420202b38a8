package io.streamnet.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX (the fallback where nvcc is absent) must stay in sync with the kernel sources:
 * every .cu has a .ptx declaring each of its kernels, every kernel the backend launches is there,
 * and, where nvcc is installed, build-ptx.sh regenerates exactly the committed files.
 */
class CudaPtxTest {
    static final Path CUDA_SRC = Path.of("src/main/cuda");
    static final Path PTX_DIR = Path.of("src/generated/resources/io/streamnet/engine/cuda");
    private static final Pattern KERNEL = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\([^)]*\\)\\s+)?(\\w+)\\s*\\(");
    private static final Pattern RELEASE = Pattern.compile("release (\\d+\\.\\d+), V([\\d.]+)");

    @Test
    void everyKernelSourceHasCommittedPtxDeclaringItsEntries() throws IOException {
        List<Path> sources = sources();
        assertThat(sources).extracting(p -> p.getFileName().toString())
                .contains("gemm.cu", "activation.cu", "softmax.cu", "recurrent.cu");
        for (Path cu : sources) {
            String name = cu.getFileName().toString().replace(".cu", "");
            Path ptx = PTX_DIR.resolve(name + ".ptx");
            assertThat(ptx).as("committed PTX of " + cu + " (run engine/src/main/cuda/build-ptx.sh)").exists();
            String text = Files.readString(ptx);
            List<String> entries = entries(Files.readString(cu));
            assertThat(entries).as("kernels in " + cu).isNotEmpty();
            for (String e : entries) {
                assertThat(text).as(ptx + " declares " + e).contains(".entry " + e + "(");
            }
            // compute_80 PTX: JIT-compiled by the driver for Ampere, Hopper and newer
            assertThat(text).as(ptx + " target").contains(".target sm_80");
        }
    }

    @Test
    void everyLaunchedKernelIsInItsPtxResource() throws IOException {
        for (CudaKernel k : CudaKernel.values()) {
            try (InputStream in = CudaKernel.class.getResourceAsStream(k.resource())) {
                assertThat(in).as("resource " + k.resource()).isNotNull();
                String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(text).as(k.resource() + " declares " + k.entry()).contains(".visible .entry " + k.entry() + "(");
            }
        }
    }

    @Test
    void committedPtxMatchesWhatNvccGeneratesFromTheSources(@TempDir Path out) throws Exception {
        String version = nvccVersion();
        if (version == null) {
            System.out.println("[CudaPtxTest] skipped PTX regeneration: nvcc is not on PATH (the committed PTX is used)");
            assumeTrue(false, "nvcc is not on PATH");
        }
        String committedRelease = releaseOf(Files.readString(PTX_DIR.resolve("gemm.ptx")));
        String localRelease = releaseOf(version);
        if (committedRelease != null && !committedRelease.equals(localRelease)) {
            String why = "nvcc here is " + localRelease + " but the committed PTX came from " + committedRelease
                    + "; another compiler emits other PTX";
            System.out.println("[CudaPtxTest] skipped PTX comparison: " + why);
            assumeTrue(false, why);
        }
        Process p = new ProcessBuilder("bash", CUDA_SRC.resolve("build-ptx.sh").toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("build-ptx.sh output:\n" + log).isZero();
        for (Path cu : sources()) {
            String name = cu.getFileName().toString().replace(".cu", ".ptx");
            assertThat(Files.readString(out.resolve(name)))
                    .as(name + " is stale: run engine/src/main/cuda/build-ptx.sh and commit the result")
                    .isEqualTo(Files.readString(PTX_DIR.resolve(name)));
        }
        try (Stream<Path> committed = Files.list(PTX_DIR)) {
            assertThat(committed.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".ptx")))
                    .as("committed PTX without a source").allMatch(f -> Files.exists(out.resolve(f)));
        }
    }

    static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.list(CUDA_SRC)) {
            return s.filter(f -> f.toString().endsWith(".cu")).sorted().toList();
        }
    }

    static List<String> entries(String source) {
        List<String> names = new ArrayList<>();
        Matcher m = KERNEL.matcher(source);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String releaseOf(String text) {
        Matcher m = RELEASE.matcher(text);
        return m.find() ? m.group(2) : null;
    }

    /** {@code nvcc --version} output, or null when nvcc cannot be run. */
    static String nvccVersion() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
