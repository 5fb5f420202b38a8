package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.RnnCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** import -> checkpoint -> export -> import, as a user runs them, on interop's PyTorch fixtures. */
class ImportExportCommandTest {
    /** interop's fixtures, read in place (the tests run in the module's directory). */
    private static final Path FIXTURES = Path.of("../interop/src/test/resources/pytorch");

    @Test
    void anImportedModelExportsAndImportsBackToTheSameWeights(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("gru.ckpt");
        String out = CliRun.ok("import", "--from", FIXTURES.resolve("gru_features.safetensors").toString(), "--arch",
                FIXTURES.resolve("gru_features.arch.json").toString(), "--out", ckpt.toString());
        assertThat(out).contains("GRU, 2 layer(s) of 12, 5 features input, 4 outputs");
        RnnCheckpoints.Loaded first = RnnCheckpoints.load(CpuBackend.instance(), ckpt);
        assertThat(first.model().config().cell()).isEqualTo(CellType.GRU);
        assertThat(first.metadata()).containsEntry("modelId", "gru_features").containsKey("imported.sha256");

        Path back = dir.resolve("back.safetensors");
        CliRun.ok("export", "--model", ckpt.toString(), "--to", back.toString());
        assertThat(dir.resolve("back.arch.json")).exists();
        Path again = dir.resolve("again.ckpt");
        CliRun.ok("import", "--from", back.toString(), "--arch", dir.resolve("back.arch.json").toString(), "--out",
                again.toString());
        RnnCheckpoints.Loaded second = RnnCheckpoints.load(CpuBackend.instance(), again);
        for (Parameter p : first.model().parameters()) {
            assertThat(second.model().store().get(p.name()).value().toArray()).as(p.name())
                    .containsExactly(p.value().toArray());
        }
    }

    @Test
    void anArchFileWithAnUnknownFieldIsRefusedAndNoCheckpointIsWritten(@TempDir Path dir) throws Exception {
        Path arch = dir.resolve("bad.arch.json");
        Files.writeString(arch, Files.readString(FIXTURES.resolve("gru_features.arch.json"))
                .replaceFirst("\\{", "{\"bidirectional\": true,"));
        CliRun r = CliRun.of("import", "--from", FIXTURES.resolve("gru_features.safetensors").toString(), "--arch",
                arch.toString(), "--out", dir.resolve("x.ckpt").toString());
        assertThat(r.exit()).isNotZero();
        assertThat(dir.resolve("x.ckpt")).doesNotExist();
    }
}
