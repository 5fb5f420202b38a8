package io.streamnet.interop.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.SequenceModel;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PyTorch's own outputs (fixtures made by src/test/python/make_fixtures.py with torch) against the
 * imported model stepped one event at a time through the streaming step API: every step of every
 * sequence agrees to float32 tolerance, for every family and dtype the importer supports.
 */
class RecurrentImportParityTest {
    static final Path FIXTURES = Fixtures.ROOT.resolve("pytorch");
    static final double TOLERANCE = Fixtures.TOLERANCE;

    @ParameterizedTest
    @ValueSource(strings = {"lstm_tokens", "gru_features", "rnn_features_regression", "lstm_features_nobias",
            "gru_tokens_f16", "gru_tokens_bf16"})
    void steppingEachKeyThroughTheStreamingApiGivesPyTorchsOutputAtEveryStep(String fixture) throws Exception {
        SequenceModel model = imported(fixture).model();
        SafeTensors.Contents io = SafeTensors.read(FIXTURES.resolve(fixture + ".io.safetensors"),
                SafeTensors.Limits.DEFAULTS);
        SafeTensors.Tensor want = io.tensors().get("outputs");
        double worst = Fixtures.largestStepDifference(model, io.tensors().get("inputs"), want);
        System.out.printf("%s: largest |ours - PyTorch| over %d keys x %d steps x %d outputs: %.2e%n", fixture,
                want.shape()[0], want.shape()[1], want.shape()[2], worst);
        assertThat(worst).as(fixture + ": largest difference from PyTorch").isLessThan(TOLERANCE);
    }

    static RecurrentImport.Imported imported(String fixture) throws Exception {
        SafeTensors.Contents file = SafeTensors.read(FIXTURES.resolve(fixture + ".safetensors"),
                SafeTensors.Limits.DEFAULTS);
        RecurrentArch arch = RecurrentArch.read(FIXTURES.resolve(fixture + ".arch.json"));
        return RecurrentImport.toModel(CpuBackend.instance(), file.tensors(), arch);
    }
}
