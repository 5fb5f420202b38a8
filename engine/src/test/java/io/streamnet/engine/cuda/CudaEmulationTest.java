package io.streamnet.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the CUDA kernel sources on the CPU (engine/src/test/cuda/emulate.cpp: the .cu files compiled
 * as C++ against a thread-per-CUDA-thread shim) and checks them against references that follow the
 * CpuBackend code. No GPU needed; skipped where no C++20 compiler is installed, or with
 * {@code -Dstreamnet.cuda.emulate=false}.
 */
class CudaEmulationTest {
    @Test
    void kernelsComputeWhatTheCpuBackendComputes(@TempDir Path dir) throws Exception {
        assumeTrue(!"false".equals(System.getProperty("streamnet.cuda.emulate")), "disabled by streamnet.cuda.emulate=false");
        boolean gxx = canRun("g++", "--version");
        if (!gxx) {
            System.out.println("[CudaEmulationTest] skipped: g++ is not on PATH");
        }
        assumeTrue(gxx, "g++ is not on PATH");
        Process p = new ProcessBuilder("bash", "src/test/cuda/run-emulated.sh", dir.resolve("emulate").toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("emulated kernel checks:\n" + log).isZero();
        assertThat(log).contains(" 0 failed");
    }

    private static boolean canRun(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
