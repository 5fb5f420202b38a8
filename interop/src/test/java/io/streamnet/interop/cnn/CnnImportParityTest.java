package io.streamnet.interop.cnn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.safetensors.SafeTensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PyTorch CNN state_dicts (LeNet-5; a ResNet of torchvision BasicBlocks with trained-looking batch
 * norm statistics) imported with their ARCH files give PyTorch's eval-mode logits.
 */
class CnnImportParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet_tiny"})
    void anImportedCnnGivesPyTorchsLogits(String fixture) throws Exception {
        Sequential cnn = imported(fixture);
        SafeTensors.Contents io = Fixtures.io("pytorch", fixture);
        double worst = Fixtures.largestDifference(cnn, io.tensors().get("inputs"), io.tensors().get("logits"), false);
        System.out.printf("safetensors %s: largest |ours - PyTorch| %.2e%n", fixture, worst);
        assertThat(worst).as(fixture).isLessThan(Fixtures.TOLERANCE);
    }

    static Sequential imported(String fixture) throws Exception {
        var dir = Fixtures.ROOT.resolve("pytorch");
        var tensors = SafeTensors.read(dir.resolve(fixture + ".safetensors"), SafeTensors.Limits.DEFAULTS).tensors();
        var arch = CnnArch.resolve(new ObjectMapper().readTree(dir.resolve(fixture + ".arch.json").toFile()), tensors);
        return CnnImport.toModel(CpuBackend.instance(), arch.input(), arch.layers());
    }
}
