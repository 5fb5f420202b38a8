package io.streamnet.interop.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.StateBatch;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PyTorch's own outputs (fixtures made by src/test/python/make_fixtures.py with torch) against the
 * imported model stepped one event at a time through the streaming step API: every step of every
 * sequence agrees to float32 tolerance, for every family and dtype the importer supports.
 */
class RecurrentImportParityTest {
    static final Path FIXTURES = Path.of("src/test/resources/pytorch");
    /** float32 round-off over a few layers and steps; a wrong gate order or transpose is off by ~0.1. */
    static final double TOLERANCE = 2e-5;

    @ParameterizedTest
    @ValueSource(strings = {"lstm_tokens", "gru_features", "rnn_features_regression", "lstm_features_nobias",
            "gru_tokens_f16", "gru_tokens_bf16"})
    void steppingEachKeyThroughTheStreamingApiGivesPyTorchsOutputAtEveryStep(String fixture) throws Exception {
        SequenceModel model = imported(fixture).model();
        SafeTensors.Contents io = SafeTensors.read(FIXTURES.resolve(fixture + ".io.safetensors"),
                SafeTensors.Limits.DEFAULTS);
        SafeTensors.Tensor in = io.tensors().get("inputs");
        SafeTensors.Tensor want = io.tensors().get("outputs");
        int keys = want.shape()[0];
        int steps = want.shape()[1];
        int outs = want.shape()[2];
        assertThat(outs).isEqualTo(model.config().outputSize());
        int width = model.config().tokenInput() ? 1 : in.shape()[2];
        StateBatch states = model.newStateBatch(keys);
        double worst = 0;
        for (int t = 0; t < steps; t++) {
            int[] tokens = new int[keys];
            Tensor features = Tensor.zeros(keys, Math.max(1, width));
            for (int b = 0; b < keys; b++) {
                if (model.config().tokenInput()) {
                    tokens[b] = (int) in.values()[b * steps + t];
                } else {
                    for (int f = 0; f < width; f++) {
                        features.put(b * width + f, in.values()[(b * steps + t) * width + f]);
                    }
                }
            }
            model.stepBatch(states, keys, model.config().tokenInput() ? tokens : null,
                    model.config().tokenInput() ? null : features);
            for (int b = 0; b < keys; b++) {
                Tensor got = states.output(b);
                for (int o = 0; o < outs; o++) {
                    double err = Math.abs(got.at(o) - want.values()[(b * steps + t) * outs + o]);
                    worst = Math.max(worst, err);
                }
            }
        }
        System.out.printf("%s: largest |ours - PyTorch| over %d keys x %d steps x %d outputs: %.2e%n", fixture, keys,
                steps, outs, worst);
        assertThat(worst).as(fixture + ": largest difference from PyTorch").isLessThan(TOLERANCE);
    }

    static RecurrentImport.Imported imported(String fixture) throws Exception {
        SafeTensors.Contents file = SafeTensors.read(FIXTURES.resolve(fixture + ".safetensors"),
                SafeTensors.Limits.DEFAULTS);
        RecurrentArch arch = RecurrentArch.read(FIXTURES.resolve(fixture + ".arch.json"));
        return RecurrentImport.toModel(CpuBackend.instance(), file.tensors(), arch);
    }
}
