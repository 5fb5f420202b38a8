package io.streamnet.serving.resident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device-resident steps of the serving core through JCuda without a GPU: fakecuda.cpp (the
 * driver API subset with the kernel sources run on the CPU) built as libcuda.so.1 and put on the
 * library path of a child JVM that runs {@link ResidentParity}: RNN, LSTM and GRU steps at B = 1,
 * 7, 64, 1024 and LeNet-5 and ResNet-mini forward passes, each against the CPU and each copying
 * its states and inputs up once and its results down once. Skipped without g++ (or with
 * {@code -Dstreamnet.cuda.emulate=false}); a real GPU runs the same class from gpu/check.sh.
 */
class ResidentParityTest {
    @Test
    void residentStepsMatchTheCpuAndCopyOncePerStep(@TempDir Path dir) throws Exception {
        assumeTrue(!"false".equals(System.getProperty("streamnet.cuda.emulate")), "disabled by streamnet.cuda.emulate=false");
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "fakecuda builds a Linux libcuda.so.1");
        assumeTrue(canRun("g++", "--version"), "g++ is not on PATH");
        Path script = Path.of("../engine/src/test/cuda/build-fakecuda.sh").toAbsolutePath().normalize();
        assertThat(script).exists();
        Path lib = dir.resolve("lib");
        run(List.of("bash", script.toString(), lib.toString()), null, dir.resolve("build.log"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String log = run(List.of(java, "--add-modules", "jdk.incubator.vector", "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), ResidentParity.class.getName(),
                "--batches", "1,7,64,1024", "--frames", "1,5"), lib, dir.resolve("parity.log"));
        assertThat(log).contains("\n0 failed").doesNotContain("FAIL");
        assertThat(log).contains("LSTM 2x32 features", "GRU 2x32 features", "RNN 2x32 features", "LeNet-5 forward",
                "ResNet-mini forward");
    }

    private static String run(List<String> cmd, Path libraryPath, Path logFile) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
        if (libraryPath != null) {
            String old = System.getenv("LD_LIBRARY_PATH");
            pb.environment().put("LD_LIBRARY_PATH", libraryPath + (old == null || old.isEmpty() ? "" : ":" + old));
        }
        Process p = pb.start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String log = Files.readString(logFile, StandardCharsets.UTF_8);
        assertThat(done).as("finished in time:\n" + log).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd.subList(0, 1)) + " exit status:\n" + log).isZero();
        return log;
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
