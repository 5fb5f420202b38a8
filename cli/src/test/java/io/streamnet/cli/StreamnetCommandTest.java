package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Sequential;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StreamnetCommandTest {
    private record Run(int exit, String out) {
    }

    private static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new StreamnetCommand()).execute(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void helpListsTheDemoCommand() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("demo").contains("backend");
    }

    @Test
    void backendCommandReportsTheSelectedBackend() {
        Run r = run("backend");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("selected: " + Backends.get().name());
    }

    @Test
    void invalidDemoOptionsExitWithUsageError() {
        assertThat(run("demo", "--epochs", "0").exit()).isEqualTo(2);
        assertThat(run("demo", "--epochs", "many").exit()).isEqualTo(2);
    }

    @Test
    void demoTrainsOnRealFashionMnistAndWritesALoadableCheckpoint(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("demo.ckpt");
        Run r = run("demo", "--epochs", "1", "--hidden", "64", "--out", ckpt.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("test accuracy:").contains("60,000 training");
        assertThat(Files.exists(ckpt)).isTrue();
        Sequential model = ModelCheckpoints.load(CpuBackend.instance(), ckpt);
        assertThat(model.store().count()).isEqualTo(784L * 64 + 64 + 64 * 10 + 10);
        double acc = Double.parseDouble(r.out().replaceAll("(?s).*test accuracy: ([0-9.]+).*", "$1"));
        assertThat(acc).isGreaterThan(0.80);
    }
}
