package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.layer.Dense;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.serving.model.ServedFrameModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** import -> checkpoint -> export -> import, as a user runs them, on interop's PyTorch fixtures. */
class ImportExportCommandTest {
    /** interop's fixtures, read in place (the tests run in the module's directory). */
    private static final Path FIXTURES = Path.of("../interop/src/test/resources/pytorch");
    private static final Path ONNX = Path.of("../interop/src/test/resources/onnx");

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

    @Test
    void aPyTorchCnnImportsIntoACheckpointTheFrameJobLoads(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("resnet.ckpt");
        String out = CliRun.ok("import", "--from", FIXTURES.resolve("resnet_tiny.safetensors").toString(), "--arch",
                FIXTURES.resolve("resnet_tiny.arch.json").toString(), "--out", ckpt.toString());
        assertThat(out).contains("CNN over [1, 12, 12]").contains("10 classes");
        Sequential cnn = ModelCheckpoints.load(CpuBackend.instance(), ckpt);
        assertThat(cnn.layers().get(cnn.layers().size() - 1)).isInstanceOf(Dense.class);
        assertThat(ServedFrameModel.load(CpuBackend.instance(), Files.readAllBytes(ckpt), null, -1).modelId())
                .isEqualTo("resnet_tiny");
    }

    @Test
    void anOnnxTokenModelImportsWithTheVocabularyGivenBeside(@TempDir Path dir) throws Exception {
        Path vocab = dir.resolve("vocab.json");
        StringBuilder tokens = new StringBuilder("\"<unk>\"");
        for (int i = 1; i < 20; i++) {
            tokens.append(", \"w").append(i).append('"');
        }
        Files.writeString(vocab, "{\"kind\": \"word\", \"tokens\": [" + tokens + "]}");
        Path ckpt = dir.resolve("lstm.ckpt");
        String out = CliRun.ok("import", "--from", ONNX.resolve("lstm_tokens.onnx").toString(), "--vocabulary",
                vocab.toString(), "--out", ckpt.toString());
        assertThat(out).contains("LSTM, 2 layer(s) of 16, 20 tokens input, 3 outputs (CLASSIFICATION, MANY_TO_MANY)");
        RnnCheckpoints.Loaded m = RnnCheckpoints.load(CpuBackend.instance(), ckpt);
        assertThat(m.vocabulary().size()).isEqualTo(20);
        assertThat(m.metadata()).containsEntry("imported.from", "onnx");
    }

    @Test
    void anOnnxTokenModelWithoutAVocabularyIsRefusedInOneLine(@TempDir Path dir) {
        CliRun r = CliRun.of("import", "--from", ONNX.resolve("lstm_tokens.onnx").toString(), "--out",
                dir.resolve("x.ckpt").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("vocabulary").doesNotContain("\tat ");
        assertThat(dir.resolve("x.ckpt")).doesNotExist();
    }
}
