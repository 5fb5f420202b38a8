package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamnetCommandTest {
    @Test
    void helpListsTheDemoCommand() {
        CliRun r = CliRun.of("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("demo").contains("backend");
    }

    @Test
    void backendCommandReportsTheSelectedBackend() {
        CliRun r = CliRun.of("backend");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("selected: " + Backends.get().name());
    }

    @Test
    void invalidMlpTrainingOptionsExitWithUsageError() {
        assertThat(CliRun.of("train", "mlp", "--epochs", "0").exit()).isEqualTo(2);
        assertThat(CliRun.of("train", "mlp", "--epochs", "many").exit()).isEqualTo(2);
    }

    @Test
    void trainMlpTrainsOnRealFashionMnistAndWritesALoadableCheckpoint(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("demo.ckpt");
        CliRun r = CliRun.of("train", "mlp", "--epochs", "1", "--hidden", "64", "--out", ckpt.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("test accuracy:").contains("60,000 training");
        assertThat(Files.exists(ckpt)).isTrue();
        Sequential model = ModelCheckpoints.load(CpuBackend.instance(), ckpt);
        assertThat(model.store().count()).isEqualTo(784L * 64 + 64 + 64 * 10 + 10);
        double acc = Double.parseDouble(r.out().replaceAll("(?s).*test accuracy: ([0-9.]+).*", "$1"));
        assertThat(acc).isGreaterThan(0.80);
    }
}
