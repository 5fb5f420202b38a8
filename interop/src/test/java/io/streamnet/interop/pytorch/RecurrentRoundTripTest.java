package io.streamnet.interop.pytorch;

import io.streamnet.interop.ImportException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.interop.safetensors.DType;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.SequenceModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export under PyTorch's names and import again: the same weights; and what import refuses. */
class RecurrentRoundTripTest {
    @Test
    void exportThenImportGivesIdenticalWeights(@TempDir Path dir) throws Exception {
        for (String fixture : new String[] {"lstm_tokens", "gru_features", "rnn_features_regression"}) {
            RecurrentImport.Imported first = RecurrentImportParityTest.imported(fixture);
            RecurrentArch arch = RecurrentExport.defaultArch(first.model().config(), first.vocabulary());
            Path file = dir.resolve(fixture + ".safetensors");
            SafeTensors.write(file, RecurrentExport.toStateDict(first.model(), arch), Map.of());
            SequenceModel again = RecurrentImport.toModel(CpuBackend.instance(),
                    SafeTensors.read(file, SafeTensors.Limits.DEFAULTS).tensors(), arch).model();
            assertThat(again.config()).isEqualTo(first.model().config());
            for (Parameter p : first.model().parameters()) {
                assertThat(again.store().get(p.name()).value().toArray()).as(fixture + " " + p.name())
                        .containsExactly(p.value().toArray());
            }
        }
    }

    @Test
    void aTensorTheArchitectureDoesNotUseIsRefusedByName() throws Exception {
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>(tensors("gru_features"));
        t.put("gru.weight_ih_l0_reverse", t.get("gru.weight_ih_l0"));
        assertThatThrownBy(() -> RecurrentImport.toModel(CpuBackend.instance(), t, arch("gru_features")))
                .isInstanceOf(ImportException.class).hasMessageContaining("gru.weight_ih_l0_reverse")
                .hasMessageContaining("bidirectional");
    }

    @Test
    void aTokenModelWithoutItsVocabularyIsRefused() throws Exception {
        RecurrentArch a = arch("lstm_tokens");
        RecurrentArch noVocab = new RecurrentArch(a.cell(), a.embedding(), a.recurrent(), a.head(), a.task(), a.output(),
                null);
        assertThatThrownBy(() -> RecurrentImport.toModel(CpuBackend.instance(), tensors("lstm_tokens"), noVocab))
                .isInstanceOf(ImportException.class).hasMessageContaining("vocabulary");
    }

    @Test
    void aNonFiniteWeightIsRefused() throws Exception {
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>(tensors("gru_features"));
        float[] v = t.get("fc.weight").values().clone();
        v[3] = Float.NaN;
        t.put("fc.weight", new SafeTensors.Tensor(DType.F32, t.get("fc.weight").shape(), v));
        assertThatThrownBy(() -> RecurrentImport.toModel(CpuBackend.instance(), t, arch("gru_features")))
                .isInstanceOf(ImportException.class).hasMessageContaining("head.w").hasMessageContaining("NaN");
    }

    @Test
    void aWrongModuleNameSaysWhatTheFileHolds() throws Exception {
        RecurrentArch a = arch("gru_features");
        RecurrentArch wrong = new RecurrentArch(a.cell(), null, "encoder", a.head(), a.task(), a.output(), null);
        assertThatThrownBy(() -> RecurrentImport.toModel(CpuBackend.instance(), tensors("gru_features"), wrong))
                .isInstanceOf(ImportException.class).hasMessageContaining("encoder.weight_ih_l0")
                .hasMessageContaining("gru.weight_ih_l0");
    }

    private static Map<String, SafeTensors.Tensor> tensors(String fixture) throws Exception {
        return SafeTensors.read(RecurrentImportParityTest.FIXTURES.resolve(fixture + ".safetensors"),
                SafeTensors.Limits.DEFAULTS).tensors();
    }

    private static RecurrentArch arch(String fixture) throws Exception {
        return RecurrentArch.read(RecurrentImportParityTest.FIXTURES.resolve(fixture + ".arch.json"));
    }
}
