package io.streamnet.interop.cnn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.safetensors.SafeTensors;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Export returns a CNN to PyTorch's names: import, then export under the same ARCH, gives the file back. */
class CnnRoundTripTest {
    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet_tiny"})
    void exportUnderTheImportsArchGivesBackEveryTensorOfTheFile(String fixture) throws Exception {
        var dir = Fixtures.ROOT.resolve("pytorch");
        Map<String, SafeTensors.Tensor> file = SafeTensors.read(dir.resolve(fixture + ".safetensors"),
                SafeTensors.Limits.DEFAULTS).tensors();
        JsonNode arch = new ObjectMapper().readTree(dir.resolve(fixture + ".arch.json").toFile());
        Sequential cnn = CnnImportParityTest.imported(fixture);

        CnnExport.Exported back = CnnExport.toStateDict(cnn, arch);

        file = new java.util.LinkedHashMap<>(file);
        file.keySet().removeIf(n -> n.endsWith(".num_batches_tracked"));
        assertThat(back.stateDict().keySet()).containsExactlyInAnyOrderElementsOf(file.keySet());
        for (var e : file.entrySet()) {
            assertThat(back.stateDict().get(e.getKey()).shape()).as(e.getKey()).containsExactly(e.getValue().shape());
            assertThat(back.stateDict().get(e.getKey()).values()).as(e.getKey()).containsExactly(e.getValue().values());
        }
        for (int i = 0; i < arch.get("layers").size(); i++) {
            JsonNode want = arch.get("layers").get(i);
            JsonNode got = back.arch().get("layers").get(i);
            assertThat(got.get("type")).as("layer " + i).isEqualTo(want.get("type"));
            assertThat(got.get("module")).as("layer " + i).isEqualTo(want.get("module"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet_tiny"})
    void exportUnderDefaultNamesImportsBackToTheSameLogits(String fixture) throws Exception {
        Sequential cnn = CnnImportParityTest.imported(fixture);
        CnnExport.Exported back = CnnExport.toStateDict(cnn, null);
        CnnArch.Resolved again = CnnArch.resolve(back.arch(), back.stateDict());
        Sequential reimported = CnnImport.toModel(CpuBackend.instance(), again.input(), again.layers());
        SafeTensors.Contents io = Fixtures.io("pytorch", fixture);
        double worst = Fixtures.largestDifference(reimported, io.tensors().get("inputs"), io.tensors().get("logits"), false);
        assertThat(worst).isLessThan(Fixtures.TOLERANCE);
    }
}
